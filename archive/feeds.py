"""RSS of the newest published articles (drafts never appear)."""

from django.contrib.syndication.views import Feed
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from archive import selectors


class LatestArticles(Feed):
    title = _("Lưu trữ tin xây dựng Đảng – bài mới")
    link = reverse_lazy("archive:article_list")
    description = _("Các bài mới nhất của lưu trữ.")

    def items(self):
        return selectors.published_articles().exclude(published_at=None)[:30]

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return item.lead or item.body[:300]

    def item_pubdate(self, item):
        return item.published_at

    def item_author_name(self, item):
        return item.author or None
