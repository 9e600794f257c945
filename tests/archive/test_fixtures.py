"""The committed seed fixture is what the importer makes of the seed files today."""

import pytest

from archive.ingest import parse_text
from tests.conftest import SEEDS

pytestmark = pytest.mark.django_db


@pytest.mark.needs_shared
def test_seed_fixture_matches_the_importer(seed_articles):
    assert len(seed_articles) == 5
    for path in sorted(SEEDS.glob("*.txt")):
        parsed = parse_text(path.read_text(encoding="utf-8"))
        stored = seed_articles[parsed.title]
        assert (stored.lead, stored.body, stored.caption_list, stored.author, stored.published_at) == (
            parsed.lead,
            parsed.body,
            parsed.captions,
            parsed.author,
            parsed.published_at,
        )
        assert stored.import_key == parsed.import_key


def test_seed_source_is_the_newspaper_of_ben_tre(seed_articles):
    bdk = seed_articles["Mỏ Cày Bắc cụ thể hóa thực hiện Nghị quyết Đại hội Đảng bộ huyện lần thứ XII"].source
    assert (bdk.code, bdk.name, bdk.home_province.short_name) == ("BDK", "Báo Đồng Khởi", "Bến Tre")
