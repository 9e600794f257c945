import pytest

from archive.extraction import find_terms
from tests.factories import seed_text

SEED_TERMS = {
    "000_642f7346503abf27.txt": [(2015, 2020), (2020, 2025), (2020, 2022)],
    "001_f9a3dc24e25b1244.txt": [(2020, 2025), (2015, 2020)],
    "002_05580504dd365c67.txt": [],
    "003_5ea9fd1e7cc910c7.txt": [(2020, 2025), (2021, 2026)],
    "004_50c322409a118bb1.txt": [(2020, 2025), (2021, 2026)],
}


@pytest.mark.needs_shared
@pytest.mark.parametrize("name", sorted(SEED_TERMS))
def test_seed_terms(name):
    assert find_terms(seed_text(name)) == SEED_TERMS[name]


def test_terms_are_spans_stated_as_terms():
    assert find_terms("(nhiệm kỳ 2015-2020) và Nhiệm kỳ 2020 – 2025") == [(2015, 2020), (2020, 2025)]
    assert find_terms("giai đoạn 2021-2025; nhiệm kỳ 2025-2020; nhiem ky 2020-2099") == []
