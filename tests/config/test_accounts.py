"""Readers' accounts (config/accounts.py): sign-up confirmed by the e-mailed link, sign-in (refused
until confirmed), sign-out, password reset that works, and the rate on sign-ups and sign-ins."""

import re

import pytest
from django.contrib.auth.models import User
from django.core import mail

pytestmark = pytest.mark.django_db
PASSWORD = "Lưu-trữ-2025-an-toàn"


@pytest.fixture(autouse=True)
def no_account_rate(settings):
    settings.ACCOUNT_RATE = None


def link_in(message) -> str:
    return re.search(r"https?://\S+", message.body)[0].removeprefix("http://127.0.0.1:8000")


def sign_up(client, email="ban.doc@example.vn", password=PASSWORD):
    return client.post("/accounts/sign-up/", {"email": email, "password1": password, "password2": password})


def test_a_reader_signs_up_confirms_and_signs_in(client):
    page = sign_up(client)
    assert page.status_code == 200 and "kiểm tra hộp thư" in page.content.decode()
    user = User.objects.get(username="ban.doc@example.vn")
    assert not user.is_active and not user.is_staff and user.email == "ban.doc@example.vn"
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["ban.doc@example.vn"]
    assert mail.outbox[0].subject == "Xác nhận địa chỉ e-mail của bạn"

    refused = client.post("/accounts/sign-in/", {"username": "ban.doc@example.vn", "password": PASSWORD})
    assert refused.status_code == 400 and "xác nhận qua e-mail" in refused.content.decode()

    confirmed = client.get(link_in(mail.outbox[0]), follow=True)
    assert confirmed.redirect_chain[-1][0] == "/search/saved/"
    assert "Đã xác nhận địa chỉ e-mail" in confirmed.content.decode()
    user.refresh_from_db()
    assert user.is_active
    assert client.get(link_in(mail.outbox[0])).status_code == 302  # used again: to the sign-in page

    client.post("/accounts/sign-out/")
    assert client.get("/search/saved/").status_code == 302
    signed_in = client.post("/accounts/sign-in/", {"username": "ban.doc@example.vn", "password": PASSWORD})
    assert signed_in.status_code == 302 and signed_in["Location"] == "/search/saved/"
    assert client.get("/admin/").status_code == 302  # a reader is no editor


def test_a_bad_confirmation_link_is_a_400():
    from django.test import Client

    client = Client()
    sign_up(client)
    uid = re.search(r"/confirm/([^/]+)/", str(mail.outbox[0].body))[1]
    assert client.get(f"/accounts/confirm/{uid}/not-a-token/").status_code == 400
    assert client.get("/accounts/confirm/%%%/x/").status_code == 400
    assert client.get("/accounts/confirm/MTIzNDU2Nzg5/x/").status_code == 400
    assert not User.objects.get().is_active


def test_sign_up_checks_the_password_and_says_nothing_of_existing_accounts(client):
    weak = sign_up(client, password="12345678")
    assert weak.status_code == 400
    User.objects.create_user("editor@example.vn", "editor@example.vn", PASSWORD, is_staff=True)
    again = sign_up(client, email="Editor@Example.VN")
    assert again.status_code == 200 and "kiểm tra hộp thư" in again.content.decode()
    assert User.objects.filter(username__iexact="editor@example.vn").count() == 1
    assert User.objects.get(username="editor@example.vn").is_staff
    assert not mail.outbox  # no e-mail to someone who already has an account


def test_password_reset_works(client):
    User.objects.create_user("ban.doc@example.vn", "ban.doc@example.vn", PASSWORD)
    sent = client.post("/accounts/password-reset/", {"email": "ban.doc@example.vn"})
    assert sent.status_code == 302
    assert len(mail.outbox) == 1 and "Đặt lại mật khẩu" in mail.outbox[0].subject
    link = link_in(mail.outbox[0])
    form = client.get(link, follow=True)
    assert "Chọn mật khẩu mới" in form.content.decode()
    done = client.post(
        form.redirect_chain[-1][0], {"new_password1": "Mật-khẩu-mới-2026", "new_password2": "Mật-khẩu-mới-2026"}
    )
    assert done.status_code == 302
    assert client.login(username="ban.doc@example.vn", password="Mật-khẩu-mới-2026")
    used = client.get(link, follow=True)  # a used link stops working
    assert used.status_code == 400 and "không đúng" in used.content.decode()
    assert client.get("/accounts/password-reset/MQ/bad-token/").status_code == 400


def test_sign_ups_and_sign_ins_are_rate_limited(client, settings, tmp_path):
    settings.CACHES = {
        **settings.CACHES,
        "limits": {"BACKEND": "config.limits.LockedFileCache", "LOCATION": str(tmp_path / "ratelimit")},
    }
    settings.ACCOUNT_RATE = "3/h"
    for _ in range(3):
        assert client.post("/accounts/sign-in/", {"username": "x@example.vn", "password": "wrong"}).status_code == 400
    refused = client.post("/accounts/sign-in/", {"username": "x@example.vn", "password": "wrong"})
    assert refused.status_code == 429 and int(refused["Retry-After"]) >= 1
    assert "quá nhiều lần" in refused.content.decode()
    for index in range(3):
        sign_up(client, email=f"r{index}@example.vn")
    assert sign_up(client, email="r9@example.vn").status_code == 429
    assert client.get("/accounts/sign-in/").status_code == 200  # only attempts count


def test_the_sign_up_page_in_english(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # the language switch's choice
    html = client.get("/accounts/sign-up/").content.decode()
    assert "Sign up for a reader account" in html and "E-mail address" in html
