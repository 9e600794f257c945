"""What the long commands tell the person running them: progress (done, rate, time left) as they
go, on a terminal in place and otherwise as plain lines, then the outcome and what to do next,
all in one language: Vietnamese unless English is chosen."""

import io
import json
import os
import re
import select

import pytest
from django.core.management import call_command
from django.utils import translation

from archive.models import Article
from tests.conftest import SEEDS

pytestmark = pytest.mark.django_db

VIETNAMESE_LETTER = re.compile(r"[À-ỹ]")
PLAIN_LINE = re.compile(r"^[\d.]+/1\.200 bài \(\d+%\), [\d.]+ bài/giây, (còn khoảng|xong sau) \d+:\d\d$", re.M)


def run(command, *args, **options):
    out, err = io.StringIO(), io.StringIO()
    call_command(command, *args, stdout=out, stderr=err, **options)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def corpus(tmp_path):
    """1,200 articles in a JSON-lines file."""
    path = tmp_path / "loat-bai.jsonl"
    records = ({"id": f"x-{i}", "title": f"Chi bộ số {i} họp", "body": "Chi bộ họp."} for i in range(1200))
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records))
    return path


def test_an_import_shows_progress_then_says_to_rebuild_the_index(corpus):
    out, err = run("import_articles", str(corpus), batch_size=100)
    lines = PLAIN_LINE.findall(err)
    assert lines and lines[-1] == "xong sau", err  # not a terminal: plain lines, the last one at the end
    assert err.splitlines()[-1].startswith("1.200/1.200 bài (100%)")
    assert "\r" not in err
    assert out.startswith("Đã nhập 1.200 bài mới, bỏ qua 0 bài đã có, 0 lỗi, trong ")
    assert "Tiếp theo: chạy “manage.py rebuild_index --noinput”" in out  # most of the archive is new


@pytest.mark.needs_shared
def test_a_small_import_leaves_the_new_articles_to_the_index_worker(db):
    out, _ = run("import_articles", str(SEEDS))
    assert "Tiếp theo: index_worker đưa 5 bài mới vào chỉ mục tìm kiếm" in out
    assert "manage.py index_worker --once" in out
    out, _ = run("import_articles", str(SEEDS))
    assert "bỏ qua 5 bài đã có" in out and "Không có bài mới nên chỉ mục tìm kiếm không cần cập nhật." in out


def test_on_a_terminal_the_progress_line_is_rewritten_in_place(corpus):
    leader, follower = os.openpty()
    with os.fdopen(follower, "w") as terminal:
        call_command("import_articles", str(corpus), batch_size=100, stdout=io.StringIO(), stderr=terminal)
        terminal.flush()
        output = b""
        while select.select([leader], [], [], 0.5)[0]:
            output += os.read(leader, 1 << 16)
    os.close(leader)
    shown = output.decode()
    assert shown.startswith("\r") and shown.count("\r") >= 2 and "\x1b[K" in shown
    assert "\r1.200/1.200 bài (100%)" in shown and shown.endswith("\n")  # the finished line, then a new one
    assert "\x1b[31m" not in shown  # progress is not an error: not red
    assert Article.objects.count() == 1200


def test_english_when_chosen_and_then_only_english(corpus):
    with translation.override("en"):
        out, err = run("import_articles", str(corpus), batch_size=400)
    assert "1,200/1,200 articles (100%)" in err and "articles/s" in err
    assert out.startswith("Imported 1,200 new articles, skipped 0 already there, 0 failed, in ")
    assert "Next: run “manage.py rebuild_index --noinput”" in out
    assert not VIETNAMESE_LETTER.search(out + err), out + err


def test_failures_are_listed_and_the_command_fails_in_the_same_language(tmp_path):
    (tmp_path / "hong.jsonl").write_text('{"title": "A" "body": "x"}\n')
    err = io.StringIO()
    with pytest.raises(Exception, match="1 tệp hoặc dòng không nhập được"):
        call_command("import_articles", str(tmp_path), stdout=io.StringIO(), stderr=err)
    assert "hong.jsonl:1: JSON không hợp lệ ở cột 15" in err.getvalue()


def test_extracting_links_shows_progress_and_the_outcome(seed_articles):
    out, err = run("extract_links")
    assert re.search(r"^5/5 bài \(100%\), \d+ bài/giây, xong sau \d+:\d\d$", err, re.M), err
    assert out.startswith("Đã nhận diện địa phương, cán bộ và nhiệm kỳ trong 5 bài, trong ")
