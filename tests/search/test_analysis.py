import unicodedata

import pytest

from search.analysis import VietnameseAnalyzer, canonical, folded, query_words, segment, split_syllables


@pytest.mark.parametrize(
    "old, new",
    [
        ("hoà", "hòa"),
        ("thuý", "thúy"),
        ("Thanh Hoá", "thanh hóa"),
        ("khoẻ", "khỏe"),
        ("Thuỷ", "thủy"),
        ("hoạ", "họa"),
        ("HOÀ BÌNH", "hòa bình"),
    ],
)
def test_one_tone_placement(old, new):
    assert canonical(old) == canonical(new) == new


@pytest.mark.parametrize("word", ["quý", "quỳ", "hoàng", "khuyến", "thuở", "Huỳnh"])
def test_tone_of_closed_syllables_and_qu_stays(word):
    assert canonical(word) == word.lower()


def test_decomposed_and_lookalike_input_is_the_same_word():
    assert canonical(unicodedata.normalize("NFD", "Đảng")) == canonical("Ðảng") == "đảng"


def test_folding_removes_diacritics_and_d_stroke():
    assert folded("Xây dựng Ðảng, Thanh Hoá") == "xay dung dang, thanh hoa"


def tokens(text, folded=False, mode="index"):
    return [(t.text, t.pos) for t in VietnameseAnalyzer(folded=folded)(text, positions=True, mode=mode)]


def test_compounds_stand_beside_their_syllables_at_the_same_position():
    assert tokens(segment("Xây dựng Đảng bộ huyện")) == [
        ("xây_dựng", 0),
        ("xây", 0),
        ("dựng", 1),
        ("đảng_bộ", 2),
        ("đảng", 2),
        ("bộ", 3),
        ("huyện", 4),
    ]


def test_folded_analyzer_keeps_syllables_only():
    assert [t for t, _ in tokens("Xây_dựng Đảng", folded=True)] == ["xay", "dung", "dang"]


def test_no_stop_words_are_dropped():
    syllables = [t for t, _ in tokens(segment("Long An an ninh to may in")) if "_" not in t]
    assert syllables == ["long", "an", "an", "ninh", "to", "may", "in"]


def test_queries_are_not_segmented_but_may_name_a_compound():
    assert [t for t, _ in tokens("xây dựng", mode="query")] == ["xây", "dựng"]
    assert [t for t, _ in tokens("xây_dựng", mode="query")] == ["xây_dựng"]


def test_pyvi_joins_words_on_cased_text():
    assert "Xây_dựng" in segment("Xây dựng Đảng bộ huyện Mỏ Cày Bắc").split()


def test_a_misjoined_name_still_matches_by_syllable():
    assert "Công_Thức" in segment("Bí thư Huyện ủy An Phú Ngô Công Thức cho biết")
    syllables = [t for t, _ in tokens("Bí thư Huyện ủy An Phú Ngô Công Thức cho biết")]
    assert {"công", "thức", "ngô"} <= set(syllables)


def test_query_words():
    assert query_words("Xây dựng, Đảng!") == ["xây", "dựng", "đảng"]
    assert query_words("Xây dựng", fold_them=True) == ["xay", "dung"]


def test_split_syllables_gives_the_syllables_at_odd_places_and_the_text_back_whole():
    text = "«Xây dựng» Đảng_viên, 2025!"
    pieces = split_syllables(text)
    assert pieces[1::2] == ["Xây", "dựng", "Đảng", "viên", "2025"]
    assert pieces[::2] == ["«", " ", "» ", "_", ", ", "!"]
    assert "".join(pieces) == text
    assert split_syllables("") == [""] and split_syllables("…") == ["…"]
