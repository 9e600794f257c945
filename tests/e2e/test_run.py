"""`make run` as a newcomer meets it: the port they choose, a port already taken said before any
set-up (with a free one to choose), and what the set-up is doing while they wait."""

import os
import re
import socket
import subprocess
import time

import pytest

from tests.e2e.test_serve import PROJECT, VIETNAMESE, free_port, get, serving

pytestmark = pytest.mark.slow  # a browser or a server of its own: make test-fast leaves it out


def make_run(port, data, log):
    env = {name: value for name, value in os.environ.items() if name not in ("DATABASE_URL", "DEBUG")}
    return subprocess.Popen(
        ["make", "-s", "run", f"PORT={port}"],
        cwd=PROJECT,
        env={**env, "ARCHIVE_DATA_DIR": str(data), "PYTHONUNBUFFERED": "1"},
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def test_a_taken_port_is_said_before_any_set_up_with_one_to_choose(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        started = time.monotonic()
        done = subprocess.run(
            ["make", "-s", "run", f"PORT={port}"],
            cwd=PROJECT,
            env={**os.environ, "ARCHIVE_DATA_DIR": str(tmp_path / "data")},
            capture_output=True,
            text=True,
            timeout=60,
        )
    said = done.stdout + done.stderr
    assert done.returncode != 0 and time.monotonic() - started < 10
    assert f"Cổng {port} đang có chương trình khác dùng" in said and "chưa cài đặt hay chạy gì" in said
    spare = int(re.search(r"make run PORT=(\d+)", said)[1])
    assert spare != port
    assert "Chuẩn bị cơ sở dữ liệu" not in said and not (tmp_path / "data").exists()  # nothing was set up


@pytest.fixture
def running(tmp_path):
    """`make run PORT=…` on a free port other than 8000, with its data in an empty folder."""
    port, log = free_port(), tmp_path / "run.log"
    assert port != 8000
    with log.open("w") as output:
        server = make_run(port, tmp_path / "data", output)
    url = f"http://127.0.0.1:{port}"
    with serving(server, url + "/static/css/site.css", log, seconds=120):
        yield url, port, log


def test_make_run_serves_on_the_port_chosen_and_says_what_it_is_doing(running):
    url, port, log = running
    status, _, body = get(url + "/", **VIETNAMESE)
    assert status == 200 and "Lưu trữ tin xây dựng Đảng" in body.decode()
    said = log.read_text()
    steps = [
        "Chuẩn bị cơ sở dữ liệu…",
        "Nạp danh mục đơn vị hành chính",
        "Đã nạp 5 bài mẫu.",
        "Lập lại chỉ mục tìm kiếm: 5 bài.",
        "Đã lập chỉ mục 5 bài trong",
        "Tìm kiếm đã dùng chỉ mục mới.",
        f"Kho lưu trữ ở http://127.0.0.1:{port}/",
    ]
    places = [said.find(step) for step in steps]
    assert -1 not in places and places == sorted(places), said  # each said, in the order they happen
    assert re.search(r"5/5 bài \(100%\), \d+ bài/giây, xong sau \d+:\d\d", said)  # progress of a long step
    assert "manage.py createsuperuser" in said
