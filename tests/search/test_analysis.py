import unicodedata

import pytest

from search.analysis import VietnameseAnalyzer, canonical, folded, query_words, segment


@pytest.mark.parametrize("old, new", [("hoà", "hòa"), ("thuý", "thúy"), ("Thanh Hoá", "thanh hóa"),
                                      ("khoẻ", "khỏe"), ("Thuỷ", "thủy"), ("hoạ", "họa"), ("HOÀ BÌNH", "hòa bình")])
def test_one_tone_placement(old, new):
    assert canonical(old) == canonical(new) == new


@pytest.mark.parametrize("word", ["quý", "quỳ", "hoàng", "khuyến", "thuở", "Huỳnh"])
def test_tone_of_closed_syllables_and_qu_stays(word):
    assert canonical(word) == word.lower()


def test_decomposed_and_lookalike_input_is_the_same_word():
    assert canonical(unicodedata.normalize("NFD", "Đảng")) == canonical("Ðảng") == "đảng"


def test_folding_removes_diacritics_and_d_stroke():
    assert folded("Xây dựng Ðảng, Thanh Hoá") == "xay dung dang, thanh hoa"


def tokens(text, **kwargs):
    return [(t.text, t.pos) for t in VietnameseAnalyzer(**kwargs)(text, positions=True, **{
        k: v for k, v in kwargs.items() if k == "mode"})]


def test_compounds_stand_beside_their_syllables_at_the_same_position():
    assert tokens("Xây_dựng Đảng_bộ huyện") == [
        ("xây_dựng", 0), ("xây", 0), ("dựng", 1), ("đảng_bộ", 2), ("đảng", 2), ("bộ", 3), ("huyện", 4)]


def test_folded_analyzer_keeps_syllables_only():
    assert [t for t, _ in tokens("Xây_dựng Đảng", folded=True)] == ["xay", "dung", "dang"]


def test_no_stop_words_are_dropped():
    assert [t for t, _ in tokens("Long An an ninh to may in")] == ["long", "an", "an", "ninh", "to", "may", "in"]


def test_pyvi_joins_words_on_cased_text():
    assert "Xây_dựng" in segment("Xây dựng Đảng bộ huyện Mỏ Cày Bắc").split()


def test_a_misjoined_name_still_matches_by_syllable():
    text = segment("Bí thư Huyện ủy An Phú Ngô Công Thức cho biết")
    syllables = [t for t, _ in tokens(text)]
    assert {"công", "thức", "ngô"} <= set(syllables)


def test_query_words():
    assert query_words("Xây dựng, Đảng!") == ["xây", "dựng", "đảng"]
    assert query_words("Xây dựng", fold_them=True) == ["xay", "dung"]
