"""Saved searches and their alerts (search.alerts, manage.py send_alerts), sent to a real SMTP
server on loopback (aiosmtpd, started here): the new matches once, never an article twice, a
failed send retried on the next run, and an unsubscribe link that works without signing in."""

import datetime
import email
import re
import socket
import threading
from email.policy import default as default_policy
from urllib.parse import unquote

import pytest
from aiosmtpd.controller import Controller
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.utils import timezone

from archive.models import Article
from search import alerts
from search.models import AlertSent, SavedSearch

pytestmark = pytest.mark.django_db
TRI_TON = "Tri Tôn quan tâm công tác xây dựng Đảng"


class Mailbox:
    """An aiosmtpd handler keeping what it accepted; `refuse` answers the next messages 451."""

    def __init__(self):
        self.messages = []
        self.refuse = 0
        self.lock = threading.Lock()
        self.controller: Controller | None = None  # the server delivering to it, once started

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            if self.refuse:
                self.refuse -= 1
                return "451 4.3.0 Try again later"
            self.messages.append(email.message_from_bytes(envelope.content, policy=default_policy))
        return "250 OK"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp(settings):
    """A real SMTP server on 127.0.0.1 that Django's SMTP backend sends to."""
    box = Mailbox()
    controller = Controller(box, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    settings.EMAIL_USE_TLS = False
    settings.SITE_URL = "http://archive.test"
    box.controller = controller
    yield box
    controller.stop()


@pytest.fixture
def reader(db):
    return User.objects.create_user("ban.doc@example.vn", "ban.doc@example.vn", "Lưu-trữ-2025")


@pytest.fixture
def archive(seed_articles, indexed):
    """The seeds, entered long ago, then indexed."""
    Article.objects.update(created_at=timezone.now() - datetime.timedelta(days=30))
    indexed()
    return seed_articles


def saved(reader, **params) -> SavedSearch:
    found, _new = alerts.save(reader, params)
    SavedSearch.objects.filter(pk=found.pk).update(created_at=timezone.now() - datetime.timedelta(days=3))
    found.refresh_from_db()
    return found


def new_article(title, index_worker):
    article = Article.objects.create(
        title=title, body="Bài mới về công tác xây dựng Đảng ở cơ sở.", status=Article.Status.PUBLISHED
    )
    index_worker()
    return article


def body_of(message) -> str:
    return message.get_body(("plain",)).get_content()


def test_an_alert_names_the_new_matches_once_over_smtp(smtp, reader, archive, index_worker):
    search = saved(reader, q="xây dựng Đảng", page="2", sort="newest")
    assert search.params == {"q": "xây dựng Đảng"}  # what is searched, not where in the results
    other = saved(reader, q="nông thôn mới")
    old_match = archive[TRI_TON]
    Article.objects.filter(pk=old_match.pk).update(published_at=timezone.now() - datetime.timedelta(hours=5))
    fresh = new_article("Bài mới: xây dựng Đảng ở Chợ Lách", index_worker)

    call_command("send_alerts", verbosity=0)
    assert len(smtp.messages) == 1
    message = smtp.messages[0]
    assert message["To"] == "ban.doc@example.vn"
    assert message["Subject"].strip() == "2 bài mới khớp với tìm kiếm đã lưu"
    text = body_of(message)
    assert "Bài mới: xây dựng Đảng ở Chợ Lách" in text and TRI_TON in text
    assert f"http://archive.test/articles/{fresh.pk}/" in text
    assert "nông thôn mới" not in text  # nothing new for the other search
    assert "Hủy nhận thư cho tìm kiếm này: http://archive.test/search/alerts/unsubscribe/" in text
    assert message["List-Unsubscribe"].strip().startswith("<http://archive.test/search/alerts/unsubscribe/")
    assert set(AlertSent.objects.values_list("article_id", flat=True)) == {fresh.pk, old_match.pk}
    search.refresh_from_db()
    other.refresh_from_db()
    assert search.last_alert_at and other.last_alert_at

    call_command("send_alerts", verbosity=0)  # nothing new: no e-mail, nothing named twice
    assert len(smtp.messages) == 1

    newer = new_article("Thêm một bài xây dựng Đảng ở Ba Tri", index_worker)
    call_command("send_alerts", verbosity=0)
    assert len(smtp.messages) == 2
    text = body_of(smtp.messages[1])
    assert "Ba Tri" in text and "Chợ Lách" not in text and TRI_TON not in text
    assert AlertSent.objects.filter(article_id=newer.pk).count() == 1


def test_a_failed_send_is_retried_next_run_and_sent_once(smtp, reader, archive, index_worker):
    saved(reader, q="xây dựng Đảng")
    new_article("Bài mới: xây dựng Đảng ở Chợ Lách", index_worker)
    smtp.refuse = 1
    with pytest.raises(CommandError, match=r"ban\.doc@example\.vn"):
        call_command("send_alerts", verbosity=0)
    assert smtp.messages == [] and not AlertSent.objects.exists()

    call_command("send_alerts", verbosity=0)
    assert len(smtp.messages) == 1 and "Chợ Lách" in body_of(smtp.messages[0])
    call_command("send_alerts", verbosity=0)
    assert len(smtp.messages) == 1


def test_a_server_away_is_retried_next_run(smtp, reader, archive, index_worker, settings):
    saved(reader, q="xây dựng Đảng")
    new_article("Bài mới: xây dựng Đảng ở Chợ Lách", index_worker)
    settings.EMAIL_PORT = free_port()  # nothing listens there
    report = alerts.send_alerts()
    assert report.failed == ["ban.doc@example.vn"] and report.sent == 0
    settings.EMAIL_PORT = smtp.controller.port
    assert alerts.send_alerts().sent == 1
    assert len(smtp.messages) == 1


def test_the_unsubscribe_link_works_without_signing_in(client, smtp, reader, archive, index_worker):
    search = saved(reader, q="xây dựng Đảng")
    new_article("Bài mới: xây dựng Đảng ở Chợ Lách", index_worker)
    call_command("send_alerts", verbosity=0)
    link = re.search(r"http://archive.test(/search/alerts/unsubscribe/\S+)", body_of(smtp.messages[0]))[1]

    page = client.get(link)
    assert page.status_code == 200 and "Ngừng gửi thư báo" in page.content.decode()
    search.refresh_from_db()
    assert search.alerts  # a link scanner's GET changes nothing
    done = client.post(link)
    assert done.status_code == 200 and "không nhận thư báo" in done.content.decode()
    search.refresh_from_db()
    assert not search.alerts

    new_article("Thêm một bài xây dựng Đảng ở Ba Tri", index_worker)
    call_command("send_alerts", verbosity=0)
    assert len(smtp.messages) == 1

    assert client.get(link[:-3] + "xyz/").status_code == 400
    assert client.post("/search/alerts/unsubscribe/not-a-token/").status_code == 400


def test_the_one_click_unsubscribe_of_mail_clients(client, reader, archive):
    search = saved(reader, q="xây dựng Đảng")
    url = alerts.unsubscribe_url(search).removeprefix("http://127.0.0.1:8000")
    response = client.post(url, {"List-Unsubscribe": "One-Click"})  # RFC 8058: no session, no CSRF token
    assert response.status_code == 200
    search.refresh_from_db()
    assert not search.alerts


def test_a_reader_saves_lists_and_deletes_searches(client, reader, archive):
    page = client.post("/search/saved/new/", {"q": "Đảng", "province": "Bến Tre", "next": "/search/?q=Đảng"})
    assert page.status_code == 302 and page["Location"].startswith("/accounts/sign-in/?next=")
    client.force_login(reader)
    page = client.post("/search/saved/new/", {"q": "Đảng", "province": "Bến Tre", "next": "/search/?q=Đảng"})
    assert unquote(page["Location"]) == "/search/?q=Đảng"
    client.post("/search/saved/new/", {"q": "Đảng", "province": "Bến Tre"})  # the same again: still one
    found = SavedSearch.objects.get()
    assert found.params == {"q": "Đảng", "province": "Bến Tre"} and found.user == reader
    listing = client.get("/search/saved/").content.decode()
    assert (
        "“Đảng”; Tỉnh, thành: Bến Tre" in listing
        and "/search/?q=%C4%90%E1%BA%A3ng&amp;province=B%E1%BA%BFn+Tre" in listing
    )

    assert client.post("/search/saved/new/", {"province": "Atlantis"}).status_code == 400
    assert client.post(f"/search/saved/{found.pk}/", {"action": "explode"}).status_code == 400
    client.post(f"/search/saved/{found.pk}/", {"action": "alerts-off"})
    found.refresh_from_db()
    assert not found.alerts
    stranger = User.objects.create_user("other@example.vn", "other@example.vn", "Lưu-trữ-2025")
    client.force_login(stranger)
    assert client.post(f"/search/saved/{found.pk}/", {"action": "delete"}).status_code == 404
    client.force_login(reader)
    client.post(f"/search/saved/{found.pk}/", {"action": "delete"})
    assert not SavedSearch.objects.exists()


def test_the_results_page_offers_to_save_the_search_and_see_its_trend(client, reader, archive):
    html = client.get("/search/?q=Đảng&page=1").content.decode()
    assert 'href="/search/trend/?q=%C4%90%E1%BA%A3ng&amp;by=year"' in html
    assert '"/accounts/sign-in/?next=/search/%3Fq%3D%25C4%2590%25E1%25BA%25A3ng%26page%3D1">Đăng nhập để lưu' in html
    client.force_login(reader)
    html = client.get("/search/?q=Đảng&page=1").content.decode()
    assert '<button type="submit">Lưu tìm kiếm</button>' in html
    assert 'name="page"' not in html.split("reader-tools")[1]
