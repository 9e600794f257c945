"""`manage.py backup` and `manage.py restore` (config/backup.py) on the database the suite runs on
(SQLite, then PostgreSQL): what was searchable at the backup is searchable again, the same way,
after a restore and a rebuild of the index; a restore is never done without a yes."""

import builtins
import os
import sqlite3
import subprocess
import sys
import time

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection

from archive.models import Article
from tests.factories import make_article

# As the commands run, outside any transaction (a SQLite backup waits for a transaction open on
# its own connection to end); this flushes the tables afterwards, as the browser tests do.
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("gazetteer")]


QUERIES = ["đại hội", "nghị quyết", "xây dựng Đảng", "tổ chức cơ sở đảng", "Mỏ Cày Bắc", "Tri Tôn"]


def search(client):
    """Each query's count and hits (id, title, snippet), as the API answers them."""
    found = {}
    for q in QUERIES:
        response = client.get("/api/search/", {"q": q})
        assert response.status_code == 200
        data = response.json()
        found[q] = (data["count"], [(hit["id"], hit["title"], hit["snippet"]) for hit in data["results"]])
    return found


def change_the_archive(articles):
    first = articles["Mỏ Cày Bắc cụ thể hóa thực hiện Nghị quyết Đại hội Đảng bộ huyện lần thứ XII"]
    first.title = "Một tiêu đề khác hẳn"
    first.save()
    articles["Tri Tôn quan tâm công tác xây dựng Đảng"].delete()
    Article.objects.filter(title__startswith="An Phú").delete()


def answer(monkeypatch, reply):
    def typed(prompt):
        if isinstance(reply, type) and issubclass(reply, BaseException):
            raise reply
        return reply

    monkeypatch.setattr(builtins, "input", typed)


def test_a_restored_backup_searches_as_the_archive_did(client, seed_articles, indexed, tmp_path, capsys):
    indexed()
    before = search(client)
    assert all(count for count, _ in before.values())
    titles = sorted(Article.objects.values_list("pk", "title"))

    path = tmp_path / "archive.backup"
    call_command("backup", path)
    assert path.stat().st_size > 0 and "Backed up" in capsys.readouterr().out

    change_the_archive(seed_articles)
    indexed()
    assert search(client) != before  # the test can tell the archives apart

    call_command("restore", path, interactive=False)
    out = capsys.readouterr().out
    assert "Restored" in out and "rebuild_index" in out
    assert sorted(Article.objects.values_list("pk", "title")) == titles
    indexed()
    assert search(client) == before

    make_article(title="Bài mới sau khi khôi phục")
    assert Article.objects.count() == len(titles) + 1  # the restored database takes new rows


def test_a_restore_is_done_only_on_a_yes(seed_articles, tmp_path, monkeypatch):
    path = tmp_path / "archive.backup"
    call_command("backup", path)
    change_the_archive(seed_articles)
    changed = sorted(Article.objects.values_list("pk", "title"))

    for reply in ("no", "", EOFError):
        answer(monkeypatch, reply)
        with pytest.raises(CommandError, match="not confirmed"):
            call_command("restore", path)
        assert sorted(Article.objects.values_list("pk", "title")) == changed

    answer(monkeypatch, "yes")
    call_command("restore", path)
    assert Article.objects.count() == len(seed_articles)


def test_a_file_that_is_not_a_backup_is_refused_before_anything_changes(seed_articles, tmp_path):
    garbage = tmp_path / "notes.txt"
    garbage.write_text("not a backup\n" * 100)
    other = tmp_path / "other.sqlite3"
    with sqlite3.connect(other) as database:
        database.execute("CREATE TABLE t (x)")
    for path in (garbage, other, tmp_path / "missing.backup"):
        with pytest.raises(CommandError, match="Not restored"):
            call_command("restore", path, interactive=False)
    assert Article.objects.count() == len(seed_articles)


def test_a_failed_backup_leaves_the_previous_one_whole(seed_articles, tmp_path):
    path = tmp_path / "archive.backup"
    call_command("backup", path)
    previous = path.read_bytes()
    with pytest.raises(CommandError, match="unchanged"):
        call_command("backup", tmp_path / "no-such-folder" / "archive.backup")
    assert path.read_bytes() == previous
    assert [p.name for p in tmp_path.iterdir()] == ["archive.backup"]  # no partial copy left behind


@pytest.mark.skipif(
    connection.vendor != "sqlite", reason="SQLite's file database (PostgreSQL's pg_dump has a snapshot)"
)
@pytest.mark.slow  # processes at once
def test_a_sqlite_backup_is_taken_while_a_writer_is_mid_transaction(tmp_path):
    """As deployed: a file database in WAL mode, and a save in progress (its transaction open)
    while `manage.py backup` runs in its own process. The backup does not wait for the writer and
    holds what was committed, not the half-done save."""
    env = {**os.environ, "ARCHIVE_DATA_DIR": str(tmp_path / "data"), "DJANGO_SETTINGS_MODULE": "config.settings"}
    env.pop("DATABASE_URL", None)

    def manage(*arguments):
        return subprocess.run(
            [sys.executable, "manage.py", *arguments], cwd=settings.BASE_DIR, env=env, check=True, timeout=120
        )

    manage("migrate", "-v0")
    live = sqlite3.connect(tmp_path / "data" / "archive.sqlite3", isolation_level=None)
    live.execute(
        "INSERT INTO search_pendingchange (article_id, recorded_at, attempts, error) VALUES (1, '2026-01-01', 0, '')"
    )
    live.execute("BEGIN IMMEDIATE")
    live.execute(
        "INSERT INTO search_pendingchange (article_id, recorded_at, attempts, error) VALUES (2, '2026-01-01', 0, '')"
    )
    try:
        started = time.monotonic()
        manage("backup", str(tmp_path / "during.backup"))
        assert time.monotonic() - started < 60
    finally:
        live.execute("COMMIT")
    manage("backup", str(tmp_path / "after.backup"))

    def pending(path):
        with sqlite3.connect(path) as copy:
            return [row[0] for row in copy.execute("SELECT article_id FROM search_pendingchange ORDER BY id")]

    assert pending(tmp_path / "during.backup") == [1]
    assert pending(tmp_path / "after.backup") == [1, 2]
    assert not (tmp_path / "during.backup-wal").exists()  # one self-contained file
