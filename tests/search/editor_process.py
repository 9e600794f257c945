"""Processes for the concurrency tests, each on the real database and index of ARCHIVE_DATA_DIR.

python tests/search/editor_process.py edit NAME COUNT   one editor: adds COUNT articles in the admin,
                                                        edits every third, deletes every fifth;
                                                        prints a JSON summary
python tests/search/editor_process.py crash             saves an article, then dies (SIGKILL) inside
                                                        the index worker, just before the index write
"""

import json
import os
import signal
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.test import Client  # noqa: E402

from archive.models import Article  # noqa: E402
from tests.forms import form_data  # noqa: E402

PASSWORD = "mat-khau-bien-tap-2025"


def edit(name: str, count: int) -> dict:
    client = Client()
    assert client.login(username="bientap", password=PASSWORD)
    failures, saved, edited, deleted = [], 0, 0, 0
    started = time.perf_counter()
    for i in range(count):
        title = f"Hội nghị {name} số {i}"
        data = form_data(
            client.get("/admin/archive/article/add/"),
            "article_form",
            title=title,
            status="published",
            body=f"Đảng bộ {name} họp lần {i}, bàn công tác xây dựng Đảng.",
        )
        response = client.post("/admin/archive/article/add/", data)
        if response.status_code != 302:
            failures.append(("add", i, response.status_code))
            continue
        saved += 1
        pk = Article.objects.get(title=title).pk
        change = f"/admin/archive/article/{pk}/change/"
        if i % 3 == 2:
            response = client.post(change, form_data(client.get(change), "article_form", title=f"{title} (đã sửa)"))
            edited += response.status_code == 302
            if response.status_code != 302:
                failures.append(("edit", i, response.status_code))
        if i % 5 == 4:
            response = client.post(f"/admin/archive/article/{pk}/delete/", {"post": "yes"})
            deleted += response.status_code == 302
            if response.status_code != 302:
                failures.append(("delete", i, response.status_code))
    seconds = time.perf_counter() - started
    return {
        "name": name,
        "saved": saved,
        "edited": edited,
        "deleted": deleted,
        "failures": failures,
        "seconds": seconds,
    }


def crash() -> None:
    from haystack import connections

    from search import outbox

    Article.objects.create(title="Bài lưu rồi mới sập", body="Nội dung đã lưu vào cơ sở dữ liệu.")
    backend = connections["default"].get_backend()
    backend.update = lambda *args, **kwargs: os.kill(os.getpid(), signal.SIGKILL)  # the power goes here
    outbox.apply_pending()


if __name__ == "__main__":
    if sys.argv[1] == "edit":
        print(json.dumps(edit(sys.argv[2], int(sys.argv[3]))))
    else:
        crash()
