import pytest

from archive.extraction import find_officials
from tests.factories import seed_text

pytestmark = pytest.mark.django_db  # the gazetteer tells places from people


SEED_OFFICIALS = {  # read by hand from the seed files
    "000_642f7346503abf27.txt": ("Hương Thu", {"Trần Thị Sol": ["Phó bí thư Thường trực Huyện ủy Mỏ Cày Bắc"]}),
    "001_f9a3dc24e25b1244.txt": (
        "Hữu Huynh",
        {"Ngô Công Thức": ["Bí thư Huyện ủy An Phú"], "Võ Anh Kiệt": ["Phó Bí thư Thường trực Tỉnh ủy"]},
    ),
    "002_05580504dd365c67.txt": (
        "Việt Anh",
        {
            "Bàn Văn Hạnh": ["Bí thư chi bộ", "Tiểu khu trưởng tiểu khu Sao Đỏ"],
            "Lường Thị Hiền": ["Phó Bí thư Thường trực huyện ủy Vân Hồ"],
        },
    ),
    "003_5ea9fd1e7cc910c7.txt": ("", {}),
    "004_50c322409a118bb1.txt": ("Ngô Chuẩn", {"Cao Quang Liêm": ["Bí thư Huyện ủy", "Chủ tịch UBND huyện Tri Tôn"]}),
}


@pytest.mark.parametrize("name", sorted(SEED_OFFICIALS))
@pytest.mark.needs_shared
def test_seed_officials(name):
    byline, expected = SEED_OFFICIALS[name]
    assert {s.name: s.titles for s in find_officials(seed_text(name), exclude=[byline])} == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Ông Nguyễn Văn An, Chủ tịch UBND xã, phát biểu.", {"Nguyễn Văn An": ["Chủ tịch UBND xã"]}),
        (
            "Bi thu Tinh uy Nguyen Van Binh du hop.",
            {"Nguyen Van Binh": ["Bi thu Tinh uy"]},
        ),  # typed without diacritics
        ("Ong Nguyen Van An, Chu tich UBND xa, phat bieu.", {"Nguyen Van An": ["Chu tich UBND xa"]}),
        ("Hiệu trưởng trường Nguyễn Du phát biểu.", {}),  # a school's name, not a person
        ("Bí thư Huyện ủy Ðinh Văn Hùng dự họp.", {"Đinh Văn Hùng": ["Bí thư Huyện ủy"]}),  # look-alike Ð
        ("Dự họp có ông Lò Văn Mừng. Bí thư chi bộ phát biểu.", {}),  # a name ending a sentence has no title
        ("Bí thư Tỉnh ủy Nguyen Van Binh dự họp.", {"Nguyen Van Binh": ["Bí thư Tỉnh ủy"]}),
        ("Ban Thường vụ Huyện ủy họp.", {}),
        ("Phát biểu của Bí thư Huyện ủy Lò Văn Mừng.", {"Lò Văn Mừng": ["Bí thư Huyện ủy"]}),
        ("Tác giả NGÔ CHUẨN, Bí thư chi bộ", {}),
    ],
)
def test_officials_hard_cases(text, expected):
    assert {s.name: s.titles for s in find_officials(text, exclude=["Ngô Chuẩn"])} == expected


@pytest.mark.parametrize(
    "text, expected",
    [  # from the hand check of 20 corpus articles
        (
            "Phó Chủ tịch UBND TP Hà Nội Nguyễn Thế Hùng từng nói, dự án đường Trần Hữu Dực nối đường Lê Đức Thọ.",
            {"Nguyễn Thế Hùng": ["Phó Chủ tịch UBND TP Hà Nội"]},
        ),
        # A foreign leader after his country's name is not caught; his father is not given his title.
        ("Thủ tướng Singapore Lý Hiển Long đặt dấu hỏi liệu cha ông, Lý Quang Diệu, có muốn vậy.", {}),
        ("Ở tuyến giữa, nhạc trưởng Vũ Minh Tuấn chơi hay.", {}),
        ("về làm Phó trưởng Ban Kinh tế Trung ương.", {}),
        (
            "Ông Vũ Quang Hùng - Giám đốc Sở Xây dựng TP.Đà Nẵng - cho biết.",
            {"Vũ Quang Hùng": ["Giám đốc Sở Xây dựng TP.Đà Nẵng"]},
        ),
        (
            "bà Hồ Thị Kim Thoa, Thứ trưởng Bộ Công Thương; ông Nguyễn Doãn Anh, Tư lệnh Bộ tư lệnh Thủ đô.",
            {"Hồ Thị Kim Thoa": ["Thứ trưởng Bộ Công Thương"], "Nguyễn Doãn Anh": ["Tư lệnh Bộ tư lệnh Thủ đô"]},
        ),
        ("Ông Phan Tương, nguyên Giám đốc sân bay TSN chia sẻ.", {"Phan Tương": ["nguyên Giám đốc sân bay TSN"]}),
        (
            "Anh Võ Thành Cương, Trưởng công an xã Hương Hòa đã bị thương ở tay.",
            {"Võ Thành Cương": ["Trưởng công an xã Hương Hòa"]},
        ),
    ],
)
def test_officials_from_the_corpus_hand_check(text, expected):
    assert {s.name: s.titles for s in find_officials(text, exclude=["Ngô Chuẩn"])} == expected
