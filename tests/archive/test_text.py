import unicodedata

from archive.text import fold, normalise, slug_for


def test_lookalike_eth_becomes_vietnamese_d():
    assert normalise("Ðại hội Ðảng bộ, ðồng chí") == "Đại hội Đảng bộ, đồng chí"


def test_decomposed_text_is_composed():
    decomposed = unicodedata.normalize("NFD", "Huyện ủy Mỏ Cày Bắc")
    assert decomposed != "Huyện ủy Mỏ Cày Bắc"
    assert normalise(decomposed) == "Huyện ủy Mỏ Cày Bắc"


def test_stray_combining_marks_are_dropped():
    assert normalise("đượ\u0323c cử \u0323 làm") == "được cử làm"


def test_spaces_tidied_but_paragraph_breaks_kept():
    assert normalise("  Bí\u00a0thư   Tỉnh ủy \n\nNgày\t1 ") == "Bí thư Tỉnh ủy\n\nNgày 1"


def test_tone_placement_is_kept_as_printed():
    assert normalise("hoà") == "hoà"
    assert normalise("hòa") == "hòa"


def test_fold_removes_every_diacritic_and_d_stroke():
    assert fold("Xây dựng Đảng ở Ðồng Tháp, Thanh Hoá") == "Xay dung Dang o Dong Thap, Thanh Hoa"


def test_slug_keeps_vietnamese_readable():
    assert slug_for("Đưa Nghị quyết Đại hội vào cuộc sống") == "dua-nghi-quyet-dai-hoi-vao-cuoc-song"


def test_slug_of_symbols_only_is_not_empty():
    assert slug_for("!!! ???") == "bai-viet"
