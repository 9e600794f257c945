import pytest

from archive.extraction import find_localities
from archive.models import Locality
from tests.factories import seed_text

pytestmark = pytest.mark.django_db


def named(text, home=None):
    return {str(unit) for unit in find_localities(text, home)}


def province(name):
    return Locality.objects.get(era="legacy", kind="province", short_name=name)


SEED_LOCALITIES = {  # read by hand from the seed files
    "000_642f7346503abf27.txt": ("Bến Tre", {"Huyện Mỏ Cày Bắc, Bến Tre", "Xã Phú Mỹ, Bến Tre"}),
    "001_f9a3dc24e25b1244.txt": (
        None,
        {"Huyện An Phú, An Giang", "Xã Phước Hưng, An Giang", "Xã Khánh An, An Giang", "Xã Phú Hữu, An Giang"},
    ),
    "002_05580504dd365c67.txt": (None, {"Huyện Vân Hồ, Sơn La", "Xã Vân Hồ, Sơn La", "Xã Liên Hòa, Sơn La"}),
    "003_5ea9fd1e7cc910c7.txt": (
        None,
        {
            "Tỉnh Thanh Hóa",
            "Tỉnh Phú Thọ",
            "Tỉnh Bến Tre",
            "Huyện Bá Thước, Thanh Hóa",
            "Huyện Thanh Sơn, Phú Thọ",
            "Huyện Thanh Thủy, Phú Thọ",
            "Huyện Bình Đại, Bến Tre",
            "Xã Thừa Đức, Bến Tre",
        },
    ),
    "004_50c322409a118bb1.txt": (
        None,
        {
            "Tỉnh An Giang",
            "Huyện Tri Tôn, An Giang",
            "Thị trấn Tri Tôn, An Giang",
            "Thị trấn Ba Chúc, An Giang",
            "Thị trấn Cô Tô, An Giang",
        },
    ),
}


@pytest.mark.needs_shared
@pytest.mark.parametrize("name", sorted(SEED_LOCALITIES))
def test_seed_localities(name):
    home, expected = SEED_LOCALITIES[name]
    assert named(seed_text(name), province(home) if home else None) == expected


def test_a_commune_name_shared_by_many_needs_context():
    assert named("Trao quà cho hộ nghèo ở xã Phú Mỹ.") == set()
    assert named("Trao quà ở xã Phú Mỹ, huyện Mỏ Cày Bắc.") == {"Xã Phú Mỹ, Bến Tre", "Huyện Mỏ Cày Bắc, Bến Tre"}
    assert named("Trao quà ở xã Phú Mỹ.", province("Phú Thọ")) == {"Xã Phú Mỹ, Phú Thọ"}


def test_a_district_name_shared_by_provinces_needs_context():
    assert named("Huyện ủy Châu Thành họp.") == set()
    assert named("Huyện ủy Châu Thành (tỉnh Bến Tre) họp.") == {"Huyện Châu Thành, Bến Tre", "Tỉnh Bến Tre"}


def test_a_district_and_commune_of_the_same_name():
    assert named("Huyện ủy An Phú chỉ đạo xã Phú Hữu.") == {"Huyện An Phú, An Giang", "Xã Phú Hữu, An Giang"}


def test_names_must_be_written_as_names():
    assert named("công tác xã hội, tinh thần quan tâm, huyện cũng đã làm") == set()
    assert named("Giữ vững hòa bình, xây dựng Đảng") == set()


def test_people_named_like_places_are_not_places():
    assert named("Ông Nguyễn Thái Bình phát biểu.") == set()
    assert named("Học tập tư tưởng Hồ Chí Minh.") == set()
    assert named("Đoàn công tác của TP. Hồ Chí Minh.") == {"Thành phố Hồ Chí Minh"}


def test_a_province_closing_a_list_is_the_province():
    assert named("huyện Thanh Sơn, Phú Thọ") == {"Huyện Thanh Sơn, Phú Thọ", "Tỉnh Phú Thọ"}


def test_text_without_diacritics_and_lookalike_d():
    assert named("Huyen uy Tri Ton, tinh An Giang") == {"Huyện Tri Tôn, An Giang", "Tỉnh An Giang"}
    assert named("Tỉnh ủy Ðồng Tháp") == {"Tỉnh Đồng Tháp"}


@pytest.mark.parametrize(
    "text, expected",
    [  # from the hand check of 20 corpus articles
        ("dự án tại huyện Tân Thành, tỉnh Bà Rịa – Vũng Tàu", {"Tỉnh Bà Rịa - Vũng Tàu"}),  # not Tân Thạnh, Long An
        ("Chủ tịch nước tiếp cử tri tỉnh Bắc Giang", {"Tỉnh Bắc Giang"}),  # "Chủ" is not thị xã Chũ
        ("hợp tác khu vực châu Á - Thái Bình Dương", set()),
        ("B.Bình Dương thua T.Quảng Ninh", set()),
        (
            "Công an huyện Phú Lộc bắt đối tượng ở xã Lộc Tiến, Phú Lộc (Thừa Thiên - Huế)",
            {"Thành phố Huế", "Huyện Phú Lộc, Huế", "Xã Lộc Tiến, Huế"},
        ),
        ("U20 Argentina đến TP.HCM chiều 8/5", {"Thành phố Hồ Chí Minh"}),
        ("cửa hàng ở quận 1, TP.HCM", {"Quận 1, Hồ Chí Minh", "Thành phố Hồ Chí Minh"}),
        ("Du khách đổ về Đà Lạt, Biên Hòa dịp lễ", {"Thành phố Đà Lạt, Lâm Đồng", "Thành phố Biên Hòa, Đồng Nai"}),
        ("Anh Nguyễn Bảo Lộc về quê", set()),  # a city's name inside a person's name
        ("Ông Vũ Quang Hùng - Giám đốc Sở Xây dựng TP.Đà Nẵng", {"Thành phố Đà Nẵng"}),
    ],
)
def test_places_from_the_corpus_hand_check(text, expected):
    assert named(text) == expected
