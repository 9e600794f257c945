import unicodedata

from archive.text import fold, is_heading, normalise, paragraphs, slug_for, sort_key


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


def test_vietnamese_dictionary_order():
    names = [
        "Đà Nẵng",
        "Cao Bằng",
        "Huế",
        "Cà Mau",
        "Hà Nội",
        "Dak Nông",
        "Bình Thuận",
        "Bình Định",
        "Bạc Liêu",
        "Quận 10",
        "Quận 2",
        "Ăn Khê",
        "An Giang",
    ]
    assert sorted(names, key=sort_key) == [
        "An Giang",
        "Ăn Khê",
        "Bạc Liêu",
        "Bình Định",
        "Bình Thuận",
        "Cà Mau",
        "Cao Bằng",
        "Dak Nông",
        "Đà Nẵng",
        "Hà Nội",
        "Huế",
        "Quận 2",
        "Quận 10",
    ]


def test_headings_are_short_lines_without_final_punctuation():
    assert is_heading("Tập trung xây dựng Đảng")
    assert not is_heading("Năm 2020, huyện lãnh đạo tiếp tục thực hiện.")
    assert not is_heading("* Tại huyện Bá Thước")
    assert not is_heading("x" * 101)


def test_every_kind_of_line_break_becomes_a_newline():
    assert normalise("một\r\nhai\rba\u2028bốn") == "một\nhai\nba\nbốn"


def test_paragraphs_are_separated_by_blank_lines_however_many():
    assert paragraphs("\r\n Một đoạn.\r\n\r\n\r\n \r\nHai\r\ndòng.\r\n\r\n") == ["Một đoạn.", "Hai\ndòng."]
