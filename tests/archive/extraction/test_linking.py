import pytest

from archive.extraction import link_articles
from archive.models import ArticleLink, ArticleLocality, Locality
from tests.conftest import SEEDS

pytestmark = pytest.mark.django_db


def province(name):
    return Locality.objects.get(era="legacy", kind="province", short_name=name)


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


@pytest.mark.needs_shared
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


@pytest.mark.needs_shared
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
