"""Serving as deployed: security headers and policy on every page, static files from whitenoise,
and the stricter settings that BEHIND_HTTPS=1 turns on."""

import gzip
import json
import os
import re
import subprocess
import sys

import pytest
from django.conf import settings
from django.templatetags.static import static
from django.test import override_settings

pytestmark = pytest.mark.django_db


def test_pages_carry_the_security_headers_and_policy(client):
    response = client.get("/")
    assert response.status_code == 200
    policy = dict(part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";"))
    assert policy["default-src"] == "'self'"
    assert policy["object-src"] == policy["frame-ancestors"] == "'none'"
    assert "script-src" not in policy and "style-src" not in policy  # so no inline script or style runs
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert "Strict-Transport-Security" not in response  # plain HTTP unless BEHIND_HTTPS says otherwise


def test_the_admin_and_error_pages_carry_them_too(client):
    for url in ("/admin/login/", "/no-such-page/"):
        response = client.get(url)
        assert "default-src 'self'" in response["Content-Security-Policy"]
        assert response["X-Frame-Options"] == "DENY"


def test_static_files_are_hashed_compressed_and_cached_for_a_year(client, collected_static):
    url = static("css/site.css")
    assert re.fullmatch(r"/static/css/site\.[0-9a-f]{12}\.css", url)
    response = client.get(url, HTTP_ACCEPT_ENCODING="gzip")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/css")
    assert response["Content-Encoding"] == "gzip"
    assert "immutable" in response["Cache-Control"] and "max-age=315360000" in response["Cache-Control"]
    css = gzip.decompress(b"".join(response.streaming_content))
    assert css == (collected_static / url.removeprefix("/static/")).read_bytes()
    assert b".search-box" in css


def test_an_unknown_static_file_is_a_404(client):
    assert client.get("/static/css/missing.css").status_code == 404


def https_settings():
    """The settings module as imported with BEHIND_HTTPS=1 (in a fresh interpreter)."""
    names = [
        "SECURE_PROXY_SSL_HEADER",
        "SECURE_SSL_REDIRECT",
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "SECURE_HSTS_SECONDS",
        "CSRF_TRUSTED_ORIGINS",
    ]
    code = f"import json; from config import settings as s; print(json.dumps({{n: getattr(s, n) for n in {names}}}))"
    env = {**os.environ, "BEHIND_HTTPS": "1", "CSRF_TRUSTED_ORIGINS": "https://archive.example.vn"}
    out = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True, cwd=settings.BASE_DIR, env=env
    )
    return {name: tuple(v) if name == "SECURE_PROXY_SSL_HEADER" else v for name, v in json.loads(out.stdout).items()}


def test_behind_an_https_proxy_http_redirects_and_cookies_are_secure(client):
    configured = https_settings()
    assert configured["CSRF_TRUSTED_ORIGINS"] == ["https://archive.example.vn"]
    with override_settings(**configured):
        plain = client.get("/search/?q=dang")
        assert plain.status_code == 301 and plain["Location"] == "https://testserver/search/?q=dang"
        proxied = client.get("/accounts/sign-in/", HTTP_X_FORWARDED_PROTO="https")  # a form: its CSRF cookie
        assert proxied.status_code == 200
        assert proxied["Strict-Transport-Security"] == "max-age=31536000"
        assert proxied.cookies["csrftoken"]["secure"]


def test_favicon_ico_leads_to_the_icon_every_page_names(client, collected_static):
    response = client.get("/favicon.ico")
    assert response.status_code == 302 and "max-age=86400" in response["Cache-Control"]
    icon = response["Location"]
    assert re.fullmatch(r"/static/favicon\.[0-9a-f]{12}\.ico", icon)
    served = client.get(icon)
    assert served.status_code == 200 and served["Content-Type"] in ("image/x-icon", "image/vnd.microsoft.icon")
    assert b"".join(served.streaming_content)[:4] == b"\x00\x00\x01\x00"  # an icon file
    for page in ("/", "/admin/login/"):
        html = client.get(page).content.decode()
        assert f'<link rel="icon" href="{icon}"' in html
        assert re.search(r'<link rel="icon" href="/static/favicon\.[0-9a-f]{12}\.svg" type="image/svg\+xml">', html)
