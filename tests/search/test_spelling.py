"""Near spellings: the edits tried, which of them a search also looks for, and respelling as typed."""

import pytest

from search.spelling import candidates, commonest, edits, near, respell


def test_edits_are_one_slip_away_in_the_folded_alphabet():
    found = edits("dung")
    assert {"dug", "ddung", "dugn", "dong", "dungg"} <= found
    assert "dnug" in found and "dung" not in found and "dgnu" not in found  # two edits away
    assert all(w.isascii() for w in found)


def test_only_words_of_a_sane_length_get_candidates():
    assert candidates(["an"]) == set()  # "an" / "anh": one edit changes the meaning
    assert candidates(["x" * 13]) == set()
    assert candidates(["covid19"]) == set()
    assert candidates(["uyy"]) == edits("uyy")


@pytest.mark.parametrize(
    ("typed", "spelling", "respelt"),
    [
        ("Trọnq", "trong", "Trọng"),  # a letter changed: the accent and the capital stay
        ("dựgn", "dung", "dựng"),  # two letters swapped
        ("uyy", "uy", "uy"),  # a letter doubled
        ("quyt", "quyet", "quyet"),  # a letter dropped
        ("TRONQ", "trong", "TRONG"),
        ("Ðảgn", "dang", "Đảng"),  # the look-alike Ð becomes Đ
        ("NGHỊ", "nghi", "NGHỊ"),  # nothing to change
    ],
)
def test_respell_changes_only_the_slip(typed, spelling, respelt):
    assert respell(typed, spelling) == respelt


def test_an_unknown_word_may_be_any_known_spelling_most_frequent_first():
    assert near("tronq", 0, {"trong": 300, "tron": 20, "trona": 1}, 1000) == ["trong", "tron", "trona"]


def test_a_rare_word_gets_only_far_commoner_spellings():
    assert near("quyt", 2, {"quyet": 900, "quy": 800, "quat": 40}, 10_000) == ["quyet", "quy"]
    assert near("quyt", 2, {"quat": 40}, 10_000) == []


def test_a_common_or_short_word_gets_none():
    assert near("quyt", 200, {"quyet": 90_000}, 10_000) == []  # in 2% of the articles: a word of its own
    assert near("uyy", 1, {"uy": 900}, 10_000) == []  # three letters, and an article has it


def test_the_commonest_spellings_come_first_ties_in_order():
    assert commonest({"chia": 9, "chiu": 12, "chin": 9, "chim": 1}, keep=3) == ["chiu", "chia", "chin"]
