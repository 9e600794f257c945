"""Several processes at once on a real file-backed database and Whoosh index: editors saving and
deleting through the admin while the index worker runs, and a worker killed mid-write."""

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # several processes at once: make test-fast leaves it out

ROOT = Path(__file__).resolve().parents[2]
EDITOR = Path(__file__).with_name("editor_process.py")
EDITORS, ARTICLES_EACH = 4, 50


@pytest.fixture
def environment(tmp_path):
    """A fresh archive in its own folder (and its own database, on the PostgreSQL pass), with an
    editor account."""
    from tests.search.editor_process import PASSWORD

    env = {
        **os.environ,
        "ARCHIVE_DATA_DIR": str(tmp_path),
        "ALLOWED_HOSTS": "testserver,localhost",
        "DJANGO_SUPERUSER_PASSWORD": PASSWORD,
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    if os.environ.get("DATABASE_URL", "").startswith(("postgres", "postgresql")):
        env["DATABASE_URL"] = fresh_postgres_database(os.environ["DATABASE_URL"], f"concurrency_{tmp_path.name}")
    manage(env, "migrate", "-v0")
    manage(env, "collectstatic", "--noinput", "-v0")  # pages name static files as deployed
    manage(env, "createsuperuser", "--noinput", "--username", "bientap", "--email", "bt@example.vn")
    return env


def fresh_postgres_database(url, name):
    """An empty database beside the one `url` names, on the same server; its URL."""
    from urllib.parse import urlsplit, urlunsplit

    import dj_database_url
    import psycopg

    config = dj_database_url.parse(url)
    name = "".join(c if c.isalnum() else "_" for c in name).lower()
    with psycopg.connect(
        dbname="postgres",
        user=config["USER"],
        password=config["PASSWORD"] or None,
        host=config["HOST"],
        port=config["PORT"] or None,
        autocommit=True,
    ) as server:
        server.execute(f'DROP DATABASE IF EXISTS "{name}"')
        server.execute(f'CREATE DATABASE "{name}"')
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


def manage(env, *args, check=True):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        check=check,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_four_editors_at_once_leave_the_index_exactly_like_the_database(environment):
    worker = subprocess.Popen(
        [sys.executable, "manage.py", "index_worker", "--poll", "0.1"],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    editors = [
        subprocess.Popen(
            [sys.executable, str(EDITOR), "edit", f"editor{n}", str(ARTICLES_EACH)],
            cwd=ROOT,
            env=environment,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in range(EDITORS)
    ]
    try:
        outputs = [editor.communicate(timeout=600) for editor in editors]
    finally:  # no process outlives the test, whatever fails
        for process in [*editors, worker]:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        _out, worker_err = worker.communicate(timeout=120)
    assert [editor.returncode for editor in editors] == [0] * EDITORS, [err for _out, err in outputs]
    assert worker.returncode == 0, worker_err
    summaries = [json.loads(out) for out, _err in outputs]

    assert [s["failures"] for s in summaries] == [[]] * EDITORS
    saved = sum(s["saved"] for s in summaries)
    deleted = sum(s["deleted"] for s in summaries)
    assert (saved, sum(s["edited"] for s in summaries), deleted) == (200, 4 * 16, 40)
    manage(environment, "index_worker", "--once")  # what arrived after the worker's last look
    report = manage(environment, "check_index", check=False)
    assert report.returncode == 0, report.stdout + report.stderr
    assert "missing: 0\nstale: 0\nextra: 0\nfailing: 0" in report.stdout
    seconds = max(s["seconds"] for s in summaries)
    print(
        f"\n{EDITORS} editors: {saved} saves, {deleted} deletes in {seconds:.1f} s "
        f"({saved / seconds:.1f} saves/s), no failed request, no drift"
    )


def test_a_change_survives_a_worker_killed_between_commit_and_index_write(environment):
    crashed = subprocess.run([sys.executable, str(EDITOR), "crash"], cwd=ROOT, env=environment, timeout=120)
    assert crashed.returncode == -signal.SIGKILL
    before = manage(environment, "check_index", check=False)
    assert before.returncode != 0 and "missing: 1" in before.stdout
    manage(environment, "index_worker", "--once")
    after = manage(environment, "check_index")
    assert "The index matches the database." in after.stdout
