"""Vietnamese first (config.language): the browser's Accept-Language never picks the language;
the reader's choice with the language switch (its cookie) does."""

import pytest
from django.conf import settings
from django.test import Client

from config.language import chosen_language

pytestmark = pytest.mark.django_db
COOKIE = settings.LANGUAGE_COOKIE_NAME


def is_english(response):
    page = response.content.decode()
    if '<html lang="en">' in page:
        assert ">Search</a>" in page and response["Content-Language"] == "en"
        return True
    assert '<html lang="vi">' in page and ">Tìm kiếm</a>" in page and response["Content-Language"] == "vi"
    return False


@pytest.mark.parametrize("header", ["en", "en-US,en;q=0.9", "fr-FR,en;q=0.5", "*"])
def test_an_english_browser_without_a_choice_reads_vietnamese(client, header):
    assert not is_english(client.get("/", HTTP_ACCEPT_LANGUAGE=header))
    assert not is_english(client.get("/search/?q=đảng", HTTP_ACCEPT_LANGUAGE=header))


def test_the_cookie_chooses_english_whatever_the_browser_says(client):
    client.cookies[COOKIE] = "en"
    assert is_english(client.get("/"))
    assert is_english(client.get("/provinces/", HTTP_ACCEPT_LANGUAGE="vi"))
    client.cookies[COOKIE] = "vi"
    assert not is_english(client.get("/", HTTP_ACCEPT_LANGUAGE="en"))


def test_the_language_switch_is_remembered(seed_articles):
    """The footer's form, posted as a browser does (CSRF checks on, the page holds no token and
    sets no cookie): English from then on, for a year, though the browser asks for Vietnamese;
    then back to Vietnamese."""
    reader = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="vi")
    home = reader.get("/")
    assert not is_english(home) and 'action="/i18n/setlang/"' in home.content.decode()
    assert "csrfmiddlewaretoken" not in home.content.decode() and not home.cookies
    same_site = {"Sec-Fetch-Site": "same-origin", "Origin": "http://testserver"}
    switched = reader.post("/i18n/setlang/", {"language": "en", "next": "/articles/"}, headers=same_site)
    assert switched.status_code == 302 and switched["Location"] == "/articles/"
    assert reader.cookies[COOKIE].value == "en"
    assert int(reader.cookies[COOKIE]["max-age"]) >= 300 * 24 * 60 * 60  # not forgotten when the browser closes
    assert is_english(reader.get("/articles/"))
    reader.post("/i18n/setlang/", {"language": "vi", "next": "/"})  # a browser that sends neither header
    assert not is_english(reader.get("/", HTTP_ACCEPT_LANGUAGE="en"))


@pytest.mark.parametrize(
    "headers",
    [
        {"Sec-Fetch-Site": "cross-site", "Origin": "https://elsewhere.example"},
        {"Sec-Fetch-Site": "same-site", "Origin": "http://news.testserver"},
        {"Origin": "https://elsewhere.example"},  # a browser without Sec-Fetch-Site
        {"Origin": "https://testserver"},  # another scheme is another site
    ],
)
def test_another_sites_form_cannot_switch_the_language(client, headers):
    refused = client.post("/i18n/setlang/", {"language": "en", "next": "/"}, headers=headers)
    assert refused.status_code == 403 and "Chỉ đổi được ngôn ngữ" in refused.content.decode()
    assert COOKIE not in refused.cookies
    assert not is_english(client.get("/"))


def test_the_switch_is_a_form_not_a_link(client):
    """A GET changes nothing (a crawler or a prefetch following it must not switch the language)."""
    assert client.get("/i18n/setlang/", {"language": "en", "next": "/"}).status_code == 405
    assert not is_english(client.get("/"))


@pytest.mark.parametrize("value", ["xx", "", "en-GB", "vi-VN", "../../etc", "e" * 500, "\xe9n"])
def test_any_cookie_value_answers(client, value):
    client.cookies[COOKIE] = value
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert is_english(response) == value.startswith("en-")


def test_the_api_and_refusals_follow_the_cookie_too(client):
    bad = client.get("/api/search/", {"page": "0"}, HTTP_ACCEPT_LANGUAGE="en")
    assert bad.status_code == 400 and "Tham số không hợp lệ" in bad.json()["error"]
    client.cookies[COOKIE] = "en"
    assert "Tham số không hợp lệ" not in client.get("/api/search/", {"page": "0"}).json()["error"]


def test_responses_vary_on_the_cookie_not_the_header(client):
    vary = {v.strip().lower() for v in client.get("/api/search/?page=0")["Vary"].split(",")}
    assert "cookie" in vary and "accept-language" not in vary


def test_chosen_language_reads_only_the_cookie(rf):
    assert chosen_language(rf.get("/", HTTP_ACCEPT_LANGUAGE="en")) == "vi"
    request = rf.get("/")
    request.COOKIES[COOKIE] = "en"
    assert chosen_language(request) == "en"
