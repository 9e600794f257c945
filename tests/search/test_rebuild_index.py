"""What rebuild_index tells the person running it: how many articles, progress as it goes, how
long it took and what keeps the index up to date afterwards, in one language."""

import io
import re

import pytest
from django.core.management import call_command
from django.utils import translation


def rebuild():
    out, err = io.StringIO(), io.StringIO()
    call_command("rebuild_index", interactive=False, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.mark.django_db
def test_a_rebuild_says_how_far_it_is_then_what_keeps_the_index_up_to_date(seed_articles, whoosh_index):
    out, err = rebuild()
    assert out.splitlines()[:2] == ["Tách từ (pyvi) 5 bài chưa tách.", "Lập lại chỉ mục tìm kiếm: 5 bài."]
    assert re.search(r"^5/5 bài \(100%\), \d+ bài/giây, xong sau \d+:\d\d$", err, re.M), err
    assert err.splitlines()[-1] == "Đã đọc hết; đang ghi nốt chỉ mục…"
    assert re.search(r"^Đã lập chỉ mục 5 bài trong \d+:\d\d\.$", out, re.M), out
    assert out.splitlines()[-1].startswith("Tìm kiếm đã dùng chỉ mục mới. Từ giờ index_worker cập nhật chỉ mục")
    assert not re.search(r"Indexed|worker\(s\)|bài viết with", out + err)
    assert rebuild()[0].splitlines()[0] == "Lập lại chỉ mục tìm kiếm: 5 bài."  # pyvi's work was kept


@pytest.mark.django_db
def test_in_english_when_chosen(seed_articles, whoosh_index):
    with translation.override("en"):
        out, err = rebuild()
    assert "Segmenting (pyvi) 5 articles not segmented yet." in out
    assert "Rebuilding the search index: 5 articles." in out and re.search(r"Indexed 5 articles in \d+:\d\d\.", out)
    assert "5/5 articles (100%)" in err and "Searches now use the new index." in out
    assert not re.search(r"[À-ỹ]", out + err), out + err
