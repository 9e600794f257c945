"""Saved searches and their daily alerts.

saved_params(params) -> the parameters a saved search keeps (what is searched: no page, cursor, sort).
save(user, params) -> a SavedSearch (the same parameters saved twice are one saved search).
new_matches(saved, now) -> the published articles added or published since the last alert that
match the saved search and were never sent for it.
send_alerts(now) -> a Report: one e-mail per reader (every saved search of theirs with news), in
Vietnamese, each search with its unsubscribe link (a signed token, no sign-in needed). What an
e-mail named is recorded (AlertSent) once the SMTP server has accepted it, in the same transaction
as the saved searches' new `last_alert_at`: a failed send leaves both as they were, so the next run
retries it, and no article is ever named twice for one saved search.

Which articles are new is read from the database (added or published since the last alert, looking
back ALERT_LOOKBACK further for articles the index worker had not yet indexed then); which of them
match is asked of the search engine, with the saved search's parameters and those articles' ids as
a filter (every engine indexes `django_id`).
"""

import datetime
import logging
from dataclasses import dataclass, field, replace
from urllib.parse import urlencode

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from archive.models import Article
from search import facets, query
from search.forms import SearchForm
from search.models import AlertSent, SavedSearch
from search.syntax import parse

log = logging.getLogger(__name__)

SEARCHED = ("q", *facets.PARAMETERS, "from", "to", "undated")
MAX_SAVED = 50  # saved searches one reader may keep
MAX_LISTED = 30  # articles an e-mail lists for one saved search (the rest: a link to them)
CANDIDATES = 500  # new articles asked of the engine at a time (Solr takes up to 1,024 terms in a clause)
ALERT_LOOKBACK = datetime.timedelta(days=1)
UNSUBSCRIBE_SALT = "search.alerts.unsubscribe"


class InvalidSearch(ValueError):
    """Parameters the search page would refuse: `errors` by parameter."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


def saved_params(params: dict) -> dict:
    return {k: str(params[k]).strip() for k in SEARCHED if str(params.get(k, "")).strip()}


def describe(params: dict) -> str:
    """A name for a saved search: its words and filters, as typed."""
    words = params.get("q", "")
    filters = [f"{SearchForm.base_fields[SearchForm.field_for(k)].label}: {v}" for k, v in params.items() if k != "q"]
    return "; ".join(filter(None, [f"“{words}”" if words else "", *filters])) or _("Mọi bài viết")


def valid_form(params: dict) -> SearchForm:
    form = SearchForm(params)
    if not form.is_valid():
        raise InvalidSearch(form.errors_by_parameter())
    return form


class TooManySaved(Exception):
    pass


def save(user, params: dict) -> tuple[SavedSearch, bool]:
    """(the saved search, whether it is new) for `params`, validated as the search page does."""
    kept = saved_params(params)
    valid_form(kept)
    existing = next((s for s in user.saved_searches.all() if s.params == kept), None)
    if existing is not None:
        return existing, False
    if user.saved_searches.count() >= MAX_SAVED:
        raise TooManySaved
    return SavedSearch.objects.create(user=user, name=describe(kept)[:200], params=kept), True


def search_url(params: dict) -> str:
    return reverse("search:page") + ("?" + urlencode(params) if params else "")


# --- unsubscribing -------------------------------------------------------------------------------
def unsubscribe_token(saved: SavedSearch) -> str:
    return signing.dumps({"s": saved.pk, "u": saved.user_id}, salt=UNSUBSCRIBE_SALT, compress=True)


def unsubscribe_url(saved: SavedSearch) -> str:
    return settings.SITE_URL + reverse("search:unsubscribe", args=[unsubscribe_token(saved)])


def saved_for_token(token: str) -> SavedSearch | None:
    """The saved search an unsubscribe token names, or None for an altered or unknown token."""
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
        return SavedSearch.objects.select_related("user").get(pk=int(data["s"]), user_id=int(data["u"]))
    except (signing.BadSignature, KeyError, TypeError, ValueError, SavedSearch.DoesNotExist):
        return None


# --- what is new ---------------------------------------------------------------------------------
def _since(saved: SavedSearch) -> datetime.datetime:
    return (saved.last_alert_at or saved.created_at) - ALERT_LOOKBACK


def new_matches(saved: SavedSearch, now: datetime.datetime) -> list[Article]:
    """The articles to name in the next alert of `saved`, newest first."""
    since = _since(saved)
    fresh = (
        Article.objects.filter(status=Article.Status.PUBLISHED)
        .filter(Q(created_at__gte=since) | Q(published_at__gte=since, published_at__lte=now))
        .exclude(pk__in=AlertSent.objects.filter(saved_search=saved).values("article_id"))
        .order_by("-pk")
        .values_list("pk", flat=True)
    )
    try:
        form = valid_form(saved.params)
    except InvalidSearch:  # a unit or term it named was deleted since: nothing can match it
        log.warning("saved search %s no longer valid", saved.pk)
        return []
    parsed = parse(form.cleaned_data.get("q") or "")
    base = query.build(form, parsed, 0, 0)
    found: list[int] = []
    pks = list(fresh)
    for start in range(0, len(pks), CANDIDATES):
        chunk = tuple(str(pk) for pk in pks[start : start + CANDIDATES])
        request = replace(
            base, filters=(*base.filters, ("django_id", chunk)), limit=len(chunk), sort="newest", facets=(), ranking=()
        )
        found += query.engine().execute(request).ids
    articles = Article.objects.filter(pk__in=found, status=Article.Status.PUBLISHED).select_related("source")
    return sorted(articles, key=lambda a: (a.published_at or a.created_at, a.pk), reverse=True)


# --- sending -------------------------------------------------------------------------------------
@dataclass
class Report:
    sent: int = 0  # e-mails
    articles: int = 0  # articles named in them
    failed: list[str] = field(default_factory=list)  # addresses whose e-mail failed (retried next run)


def _section(saved: SavedSearch, articles: list[Article]) -> dict:
    absolute = settings.SITE_URL
    return {
        "name": saved.name,
        "count": len(articles),
        "articles": [
            {
                "title": a.title,
                "date": timezone.localtime(a.published_at).strftime("%d/%m/%Y") if a.published_at else "",
                "source": a.source.name if a.source else "",
                "url": absolute + a.get_absolute_url(),
            }
            for a in articles[:MAX_LISTED]
        ],
        "more": max(0, len(articles) - MAX_LISTED),
        "search_url": absolute + search_url(saved.params),
        "unsubscribe_url": unsubscribe_url(saved),
    }


def _message(user, sections: list[dict], connection) -> EmailMessage:
    total = sum(s["count"] for s in sections)
    with translation.override(settings.LANGUAGE_CODE):  # alerts are in Vietnamese
        subject = _("%(count)d bài mới khớp với tìm kiếm đã lưu") % {"count": total}
        body = render_to_string(
            "accounts/alert_email.txt",
            {"sections": sections, "manage_url": settings.SITE_URL + reverse("search:saved")},
        )
    headers = {"List-Unsubscribe": f"<{sections[0]['unsubscribe_url']}>"} if len(sections) == 1 else {}
    if headers:
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"  # RFC 8058
    return EmailMessage(subject, body, None, [user.email], headers=headers, connection=connection)


def send_alerts(now: datetime.datetime | None = None, stdout=None) -> Report:
    now = now or timezone.now()
    report = Report()
    saved_searches = (
        SavedSearch.objects.filter(alerts=True, user__is_active=True)
        .exclude(user__email="")
        .select_related("user")
        .order_by("user_id", "pk")
    )
    by_user: dict[int, list[SavedSearch]] = {}
    for saved in saved_searches:
        by_user.setdefault(saved.user_id, []).append(saved)
    connection = get_connection()
    for searches in by_user.values():
        user = searches[0].user
        news = [(s, new_matches(s, now)) for s in searches]
        with_news = [(s, articles) for s, articles in news if articles]
        if not with_news:
            SavedSearch.objects.filter(pk__in=[s.pk for s in searches]).update(last_alert_at=now)
            continue
        message = _message(user, [_section(s, articles) for s, articles in with_news], connection)
        try:
            message.send()
        except OSError:  # smtplib's errors are OSErrors, as are a refused or broken connection
            log.warning("alert to user %s not sent; retried next run", user.pk, exc_info=True)
            report.failed.append(user.email)
            connection.close()
            connection = get_connection()
            continue
        with transaction.atomic():
            for saved, articles in with_news:
                AlertSent.objects.bulk_create(
                    [AlertSent(saved_search=saved, article_id=a.pk) for a in articles], ignore_conflicts=True
                )
            SavedSearch.objects.filter(pk__in=[s.pk for s in searches]).update(last_alert_at=now)
        report.sent += 1
        report.articles += sum(len(a) for _s, a in with_news)
    connection.close()
    return report
