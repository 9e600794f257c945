from search import highlight
from search.highlight import Terms, mark, snippet
from search.syntax import parse

TEXT = "Hòa bình và hoà hợp ở Thanh Hoá, họa sĩ Hoa Kỳ; hoang dã. Ðảng viên xây dựng Đảng."


def marked(query, text=TEXT):
    return str(mark(text, Terms.of(parse(query))))


def test_query_without_diacritics_marks_every_accent_form():
    out = marked("hoa")
    for word in ("Hòa", "hoà", "Hoá", "họa", "Hoa"):
        assert f"<mark>{word}</mark>" in out
    assert "<mark>hoang</mark>" not in out and "<mark>h" not in out.replace("<mark>hoà", "").replace("<mark>họa", "")


def test_query_with_diacritics_marks_that_word_in_either_tone_placement_only():
    out = marked("hoà")
    assert "<mark>Hòa</mark>" in out and "<mark>hoà</mark>" in out and "<mark>Hoa</mark>" not in out


def test_whole_syllables_only():
    assert "<mark>" not in marked("ang")
    assert "<mark>" not in marked("hoan")


def test_markup_in_text_and_query_is_escaped():
    out = marked("<script>alert(1)</script>", "Bài <script>alert(1)</script> hay")
    assert "<script>" not in out and "&lt;<mark>script</mark>&gt;" in out


def test_negated_and_other_field_words_are_not_marked():
    assert "<mark>" not in marked("-hoa title:hoa")


def test_snippet_shows_where_the_words_stand_together():
    text = " ".join(["mở đầu"] * 80) + " xây dựng Đảng ở đây " + " ".join(["kết thúc"] * 80)
    out = str(snippet(text, Terms.of(parse("xay dung dang"))))
    assert out.startswith("… ") and out.endswith(" …")
    assert "<mark>xây</mark> <mark>dựng</mark> <mark>Đảng</mark>" in out


def test_snippet_without_matches_starts_at_the_beginning():
    out = str(snippet("Một hai ba bốn năm sáu bảy tám chín mười", Terms.of(parse("không")), size=4))
    assert out == "Một hai ba bốn …"


def test_a_spelling_first_met_in_a_later_text_is_marked_too():
    terms = Terms.of(parse("đảng"))
    assert str(mark("Đảng viên", terms)) == "<mark>Đảng</mark> viên"
    assert str(mark("ĐảNG ViÊn", terms)) == "<mark>ĐảNG</mark> ViÊn"  # a syllable this process had not met


def test_marks_stay_right_when_the_kept_syllables_are_emptied(monkeypatch):
    monkeypatch.setattr(highlight, "VOCABULARY_MAX", 3)
    terms = Terms.of(parse("hoa"))
    for _ in range(2):
        assert str(mark("Hòa bình và hoà hợp", terms)) == "<mark>Hòa</mark> bình và <mark>hoà</mark> hợp"
        assert str(mark("Thanh Hoá, họa sĩ", terms)) == "Thanh <mark>Hoá</mark>, <mark>họa</mark> sĩ"
