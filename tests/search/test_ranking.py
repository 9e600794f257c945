"""Ranking people expect, on articles written for the purpose."""

import pytest

from tests.factories import make_article

pytestmark = pytest.mark.django_db

FILLER = "Hội nghị bàn nhiều việc của địa phương trong năm. " * 5


def ranked(client, q):
    return [r["title"] for r in client.get("/api/search/", {"q": q}).json()["results"]]


def test_words_standing_together_rank_above_scattered_ones(client, indexed):
    make_article(
        "Bài rời rạc", f"Bàn về kinh tế. {FILLER} Sau đó nói chuyện phát triển. {FILLER} Rồi đến nông thôn mới."
    )
    make_article("Bài liền nhau", f"{FILLER} Huyện đẩy mạnh phát triển kinh tế nông thôn mới. {FILLER}")
    indexed()
    assert ranked(client, "phát triển kinh tế nông thôn")[0] == "Bài liền nhau"


def test_title_matches_weigh_more_than_body_matches(client, indexed):
    make_article("Chuyện khác", f"{FILLER} Công tác dân vận được chú trọng. {FILLER}")
    make_article("Công tác dân vận ở cơ sở", f"{FILLER} Nhiều việc được chú trọng. {FILLER}")
    indexed()
    assert ranked(client, "dan van")[0] == "Công tác dân vận ở cơ sở"


def test_exact_accents_rank_above_folded_matches(client, indexed):
    make_article("Bài họa sĩ", f"{FILLER} Một họa sĩ vẽ tranh. {FILLER}")
    make_article("Bài hòa bình", f"{FILLER} Giữ vững hòa bình. {FILLER}")
    indexed()
    assert ranked(client, "hoà")[0] == "Bài hòa bình"
    assert ranked(client, "họa")[0] == "Bài họa sĩ"
    assert set(ranked(client, "hoa")) == {"Bài họa sĩ", "Bài hòa bình"}


def test_four_remembered_words_find_the_article_first(client, indexed):
    for i in range(5):
        make_article(f"Tin {i}", f"{FILLER} Chi bộ ấp họp bàn. {FILLER}")
    make_article("Tin cần tìm", f"{FILLER} Chi bộ ấp Phú Hòa tổ chức sinh hoạt chuyên đề về an ninh. {FILLER}")
    indexed()
    assert ranked(client, "chi bo sinh hoat chuyen de")[0] == "Tin cần tìm"


def test_a_phrase_with_slop_holds_its_words_in_order_with_few_between(indexed):
    """What search.forgiving weighs a phrase remembered with one word wrong by (plan.Phrase.slop)."""
    from search import query
    from search.plan import Phrase, SearchRequest, Term

    made = {
        "one between": "Đơn vị siết chặt kỷ luật trong năm.",
        "none between": "Đơn vị siết kỷ luật trong năm.",
        "three between": "Đơn vị siết chặt hơn nữa kỷ luật trong năm.",
        "out of order": "Kỷ luật được đơn vị siết lại trong năm.",
    }
    pks = {make_article(f"Tin {label}", f"{FILLER} {body} {FILLER}").pk: label for label, body in made.items()}
    indexed()
    words = ("siet", "ky", "luat")
    request = SearchRequest(
        required=Term("text_folded", "ky"), report=(Phrase("text_folded", words, slop=2), Phrase("text_folded", words))
    )
    result = query.engine().execute(request)
    held = {pks[pk]: seen for pk, seen in zip(result.ids, result.present, strict=True)}
    assert held == {
        "one between": (True, False),
        "none between": (True, True),
        "three between": (False, False),
        "out of order": (False, False),
    }
