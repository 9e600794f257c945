"""An Atom feed of any search: its newest published matches, to follow in a feed reader."""

from urllib.parse import urlencode

from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape
from django.utils.translation import gettext as _

from search import export

FEED_SIZE = 50


class SearchFeed(Feed):
    """Called with the validated form and its parameters (sort=newest): `SearchFeed()(request, form, params)`."""

    feed_type = Atom1Feed

    def get_object(self, request, form, params):
        return form, params

    def title(self, search):
        form, _params = search
        words = form.cleaned_data.get("q")
        name = _("Lưu trữ tin xây dựng Đảng")
        return _("Tìm “%(words)s” – %(name)s") % {"words": words, "name": name} if words else _("Tìm kiếm – %s") % name

    def subtitle(self, search):
        return _("Các bài mới nhất khớp với tìm kiếm này.")

    def link(self, search):
        _form, params = search
        return reverse("search:page") + "?" + urlencode(params)

    def feed_url(self, search):
        _form, params = search
        return export.feed_url(params)

    def items(self, search):
        form, _params = search
        return export.newest(form, FEED_SIZE)

    def item_title(self, item):
        return item.title

    def item_link(self, item):
        return reverse("archive:article_short", args=[item.pk])

    def item_description(self, item):
        # Atom's summary is type="html": the lead is plain text, so it is escaped once here.
        return escape(item.lead) if item.lead else None

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        # An undated article is dated by its arrival in the archive.
        return item.published_at or item.created_at

    def item_author_name(self, item):
        return item.author or None
