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
