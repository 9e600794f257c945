"""Write-side rules of the archive, called by the models, the admin, the importer and extraction.

- prepare_article(article): the fields an article's own fields decide (slug, no empty URL), set
  before any save, one at a time or in bulk.
- articles_touched(ids): the articles' version moves and a pending index change is recorded, in the
  caller's transaction (archive.signals.articles_changed; search records it).
- dismiss_link / editor_linked: an editor removed, added or replaced a link (or an official's
  position): what they took away is remembered, so a later extraction never puts it back.
- check_version(pk, opened): refuses (ValidationError) a save over a change someone else saved
  after the form was opened.
- relink(article): extraction on one article, and how many links it has now.
"""

from collections.abc import Iterable

from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from archive.models import Article, ArticleLink, DismissedLink, Position
from archive.signals import articles_changed
from archive.text import slug_for


def prepare_article(article: Article) -> Article:
    """Set what an article's own fields decide; returns it, for bulk builders."""
    article.slug = slug_for(article.title)
    if not article.original_url:
        article.original_url = None  # several articles may lack a URL; "" would collide
    return article


def articles_touched(article_ids: Iterable[int], *, announce: bool = True) -> None:
    """The articles (or their links) changed: their version moves, and unless `announce` is off
    (a row whose own save or delete signal already records it) a pending index change is recorded."""
    article_ids = list(article_ids)
    Article.objects.filter(pk__in=article_ids).update(updated_at=timezone.now())
    if announce:
        articles_changed.send(sender=Article, article_ids=article_ids)


def dismiss_link(article_id: int, kind: str, target_id: int) -> None:
    """The editor removed the link (or the official's positions) `kind` to `target_id`."""
    DismissedLink.objects.get_or_create(article_id=article_id, kind=kind, target_id=target_id)


def editor_linked(link: ArticleLink | Position, kind: str, target: str, replaced: int | None = None) -> None:
    """The editor added or changed `link` (an ArticleLink or a Position, not saved yet), whose
    field `target` names what it links; `replaced` is what it linked before. The row becomes
    theirs, what it replaced is dismissed and what it links now is no longer."""
    link.origin = ArticleLink.Origin.EDITOR
    target_id = getattr(link, f"{target}_id")
    if replaced and replaced != target_id:
        dismiss_link(link.article_id, kind, replaced)
    DismissedLink.objects.filter(article_id=link.article_id, kind=kind, target_id=target_id).delete()


def check_version(article_pk: int, opened: str | None) -> None:
    """Refuse to save over article `article_pk` when its version is no longer `opened` (the ISO
    time it had when the editor opened it) or it was deleted meanwhile. Call inside the save's
    transaction: the row stays locked until that save commits."""
    current = Article.objects.select_for_update().filter(pk=article_pk).values_list("updated_at", flat=True).first()
    if current is None:
        raise ValidationError(
            _("Bài này vừa bị xóa nên không lưu được; những gì bạn nhập vẫn ở dưới đây."), code="deleted"
        )
    if opened != current.isoformat():
        last = (
            LogEntry.objects.filter(content_type=ContentType.objects.get_for_model(Article), object_id=str(article_pk))
            .select_related("user")
            .first()
        )
        raise ValidationError(
            _(
                "Bài này đã được %(who)s lưu lúc %(time)s, sau khi bạn mở nó. Để không ghi đè lên thay đổi "
                "đó, bài chưa được lưu; những gì bạn nhập vẫn ở dưới đây. Hãy mở bài trong thẻ mới, "
                "chép phần bạn sửa sang bản mới nhất rồi lưu."
            ),
            code="stale",
            params={
                "who": last.user.get_username() if last else _("người khác"),
                "time": timezone.localtime(current).strftime("%H:%M:%S %d/%m/%Y"),
            },
        )


def relink(article: Article) -> dict[str, int]:
    """Find what `article`'s text names now (keeping the editor's choices); the links it has after."""
    from archive.extraction import link_articles  # extraction calls articles_touched

    link_articles([article])
    return {
        "localities": article.localities.count(),
        "officials": article.officials.count(),
        "terms": article.terms.count(),
    }
