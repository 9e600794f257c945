import pytest

from archive.extract import find_localities, find_terms, link_articles
from archive.ingest import parse_text
from archive.models import ArticleLink, ArticleLocality, Locality
from tests.conftest import SEEDS

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
SEED_TERMS = {
    "000_642f7346503abf27.txt": [(2015, 2020), (2020, 2025), (2020, 2022)],
    "001_f9a3dc24e25b1244.txt": [(2020, 2025), (2015, 2020)],
    "002_05580504dd365c67.txt": [],
    "003_5ea9fd1e7cc910c7.txt": [(2020, 2025), (2021, 2026)],
    "004_50c322409a118bb1.txt": [(2020, 2025), (2021, 2026)],
}


def seed_text(name):
    article = parse_text((SEEDS / name).read_text(encoding="utf-8"))
    return "\n".join([article.title, article.lead, article.body, *article.captions])


@pytest.mark.parametrize("name", sorted(SEED_LOCALITIES))
def test_seed_localities(name):
    home, expected = SEED_LOCALITIES[name]
    assert named(seed_text(name), province(home) if home else None) == expected


@pytest.mark.parametrize("name", sorted(SEED_TERMS))
def test_seed_terms(name):
    assert find_terms(seed_text(name)) == SEED_TERMS[name]


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


def test_terms_are_spans_stated_as_terms():
    assert find_terms("(nhiệm kỳ 2015-2020) và Nhiệm kỳ 2020 – 2025") == [(2015, 2020), (2020, 2025)]
    assert find_terms("giai đoạn 2021-2025; nhiệm kỳ 2025-2020; nhiem ky 2020-2099") == []


def test_linking_replaces_extracted_links_and_keeps_the_editors(seed_articles):
    article = seed_articles["Mỏ Cày Bắc cụ thể hóa thực hiện Nghị quyết Đại hội Đảng bộ huyện lần thứ XII"]
    wrong = Locality.objects.get(kind="district", short_name="Tri Tôn")
    chosen = Locality.objects.get(kind="district", short_name="Vân Hồ")
    ArticleLocality.objects.create(article=article, locality=wrong, origin=ArticleLink.Origin.EXTRACTED)
    ArticleLocality.objects.create(article=article, locality=chosen, origin=ArticleLink.Origin.EDITOR)
    link_articles([article])
    links = {(link.locality.short_name, link.origin) for link in ArticleLocality.objects.filter(article=article)}
    assert links == {("Mỏ Cày Bắc", "extracted"), ("Phú Mỹ", "extracted"), ("Vân Hồ", "editor")}
    assert [str(t) for t in article.terms.all()] == ["2020–2025", "2020–2022", "2015–2020"]
    link_articles([article])
    assert ArticleLocality.objects.filter(article=article).count() == 3


def test_import_links_what_the_articles_name(db):
    from django.core.management import call_command

    call_command("loaddata", "sources", verbosity=0)
    call_command("import_articles", str(SEEDS), verbosity=0)
    bến_tre = province("Bến Tre")
    from archive.selectors import articles_in

    assert {a.title for a in articles_in(bến_tre)} == {
        "Mỏ Cày Bắc cụ thể hóa thực hiện Nghị quyết Đại hội Đảng bộ huyện lần thứ XII",
        "Đưa Nghị quyết vào cuộc sống bằng nhiều giải pháp thiết thực",
    }


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
def test_seed_officials(name):
    from archive.extract import find_officials

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
    from archive.extract import find_officials

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
    from archive.extract import find_officials

    assert {s.name: s.titles for s in find_officials(text, exclude=["Ngô Chuẩn"])} == expected


def test_the_same_person_across_articles_is_one_official(db):
    from django.core.management import call_command

    from archive.models import Official, Position

    call_command("loaddata", "sources", verbosity=0)
    call_command("import_articles", str(SEEDS), verbosity=0)
    sol = Official.objects.get(name="Trần Thị Sol")
    position = Position.objects.get(official=sol)
    assert (position.title, position.organisation, str(position.locality), str(position.stated_on)) == (
        "Phó bí thư Thường trực Huyện ủy Mỏ Cày Bắc",
        "Huyện ủy Mỏ Cày Bắc",
        "Huyện Mỏ Cày Bắc, Bến Tre",
        "2020-11-13",
    )
    assert not Official.objects.filter(name__in=["Hương Thu", "Hữu Huynh", "Ngô Chuẩn", "Việt Anh"]).exists()
    from archive.extract import link_articles
    from archive.models import Article

    link_articles(Article.objects.select_related("source"))
    assert Official.objects.filter(name="Trần Thị Sol").count() == 1
    assert Position.objects.filter(official=sol).count() == 1


def test_namesakes_in_other_provinces_are_other_people(db):
    from archive.models import Article, Official

    texts = [
        "Bí thư Huyện ủy Tri Tôn Nguyễn Văn Hùng dự họp.",
        "Bí thư Huyện ủy Vân Hồ Nguyễn Văn Hùng phát biểu.",
        "Chủ tịch UBND huyện Tri Tôn Nguyễn Văn Hùng kiểm tra.",
        "Ông Nguyễn Văn Hùng, Bí thư chi bộ, cho biết.",
    ]
    articles = [Article.objects.create(title=f"Bài {i}", body=text) for i, text in enumerate(texts)]
    link_articles(articles[:2])
    link_articles(articles[2:])  # a later run sees the positions the first one saved
    people = {
        o.pk: {str(p.locality) for p in o.positions.all()} for o in Official.objects.filter(name="Nguyễn Văn Hùng")
    }
    assert sorted(people.values(), key=len) == [{"Huyện Vân Hồ, Sơn La"}, {"Huyện Tri Tôn, An Giang", "None"}]


def test_extracting_again_does_not_split_a_person_from_themself(db):
    from archive.models import Article, Official

    article = Article.objects.create(title="Bài", body="Bí thư Huyện ủy Tri Tôn Nguyễn Văn Hùng dự họp.")
    link_articles([article])
    article.body = "Bí thư Huyện ủy Vân Hồ Nguyễn Văn Hùng dự họp."  # an editor corrects the place
    article.save()
    link_articles([article])
    link_articles([article])
    people = Official.objects.filter(name="Nguyễn Văn Hùng")
    assert [[str(p.locality) for p in person.positions.all()] for person in people] == [["Huyện Vân Hồ, Sơn La"]]
