"""`make serve` as a deployment runs it: set up from nothing, gunicorn workers, debugging off,
whitenoise serving the collected static files, security headers on every answer."""

import contextlib
import os
import re
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # a browser or a server of its own: make test-fast leaves it out

PROJECT = Path(__file__).resolve().parents[2]
VIETNAMESE = {"Accept-Language": "vi"}


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def get(url, **headers):
    """(status, headers, body) of a GET, error statuses included."""
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=10) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


@contextlib.contextmanager
def serving(server, ready_url, log, seconds):
    """While `server` (a process in a session of its own) runs, once `ready_url` answers; then
    the server and its children are stopped. Its `log` says why it did not start in time."""
    try:
        deadline = time.monotonic() + seconds
        while True:
            try:
                get(ready_url)
                break
            except OSError:
                assert server.poll() is None and time.monotonic() < deadline, log.read_text()
                time.sleep(0.5)
        yield
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


@pytest.fixture
def served(tmp_path):
    """`make serve` on a free port, with its data in an empty folder; its output in a log."""
    port, log = free_port(), tmp_path / "serve.log"
    env = {name: value for name, value in os.environ.items() if name not in ("DATABASE_URL", "DEBUG")}
    with log.open("w") as output:
        server = subprocess.Popen(
            ["make", "-s", "serve", f"PORT={port}", "WORKERS=2"],
            cwd=PROJECT,
            env={**env, "ARCHIVE_DATA_DIR": str(tmp_path / "data")},
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}"
    with serving(server, url + "/static/", log, seconds=90):
        yield url, log


def test_make_serve_runs_the_archive_as_deployed(served):
    url, log = served
    status, headers, body = get(url + "/", **VIETNAMESE)
    assert status == 200 and headers["Server"] == "gunicorn"
    assert "Lưu trữ tin xây dựng Đảng" in body.decode()
    assert "default-src 'self'" in headers["Content-Security-Policy"]
    assert headers["X-Frame-Options"] == "DENY" and headers["X-Content-Type-Options"] == "nosniff"
    assert len(re.findall(r"Booting worker", log.read_text())) >= 2

    stylesheet = re.search(r'href="(/static/css/site\.[0-9a-f]{12}\.css)"', body.decode())[1]
    status, headers, _ = get(url + stylesheet, **{"Accept-Encoding": "gzip"})
    assert status == 200 and headers["Content-Encoding"] == "gzip"
    assert "immutable" in headers["Cache-Control"]

    status, headers, body = get(url + "/khong-co-trang-nay/", **VIETNAMESE)
    assert status == 404  # the archive's own page, not Django's debugging one
    assert "Không tìm thấy trang" in body.decode() and "URLconf" not in body.decode()
    assert "default-src 'self'" in headers["Content-Security-Policy"]
