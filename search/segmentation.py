"""pyvi's segmentation of each article's searchable text, made once and kept (search.models.Segmentation).

segmented(article)       -> the text the index searches (Article.search_text(byline=True): title,
                            lead, body, captions, byline, one per line, the title first, so its
                            segmentation is the first line) segmented ("Xây_dựng Đảng …"), from
                            the kept copy when it was made from this very text, else made now.
fill(articles, workers, progress) -> makes every missing or stale one, on `workers` processes,
                            calling progress(done, total) as it goes; returns how many it made.
                            A rebuild calls it first, so it writes without pyvi.
"""

import hashlib
import multiprocessing
import multiprocessing.dummy

from django.db.models import QuerySet

from archive.models import Article
from search.analysis import segment
from search.models import Segmentation

CHUNK = 500


def _digest(text: str) -> str:
    return hashlib.sha1(text.encode()).hexdigest()


def _keep(rows: list[Segmentation]) -> None:
    Segmentation.objects.bulk_create(
        rows, update_conflicts=True, unique_fields=["article"], update_fields=["digest", "text"]
    )


def segmented(article: Article) -> str:
    text = article.search_text(byline=True)
    digest = _digest(text)
    try:
        kept = article.segmentation
    except Segmentation.DoesNotExist:
        kept = None
    if kept is not None and kept.digest == digest:
        return kept.text
    made = segment(text)
    _keep([Segmentation(article_id=article.pk, digest=digest, text=made)])
    return made


def _texts(articles: QuerySet) -> QuerySet:
    return articles.select_related(None).prefetch_related(None).only("title", "lead", "body", "captions", "author")


def fill(articles: QuerySet, workers: int = 1, progress=None) -> int:
    """Segment what has no current segmentation, CHUNK articles at a time (memory stays flat:
    the texts are read again for each chunk). pyvi runs in separate processes (started afresh:
    a forked copy of this one would share its database connection). Segmentations of articles
    deleted meanwhile (see Segmentation.article) go."""
    Segmentation.objects.exclude(article_id__in=Article.objects.values("pk")).delete()
    kept = dict(Segmentation.objects.filter(article__in=articles).values_list("article_id", "digest"))
    missing = [
        a.pk
        for a in _texts(articles).iterator(chunk_size=CHUNK)
        if kept.get(a.pk) != _digest(a.search_text(byline=True))
    ]
    if not missing:
        return 0
    # A few articles are not worth starting pyvi in other processes: a pool of one thread, here.
    many = workers > 1 and len(missing) >= CHUNK
    with multiprocessing.get_context("spawn").Pool(workers) if many else multiprocessing.dummy.Pool(1) as pool:
        for start in range(0, len(missing), CHUNK):
            if progress:
                progress(start, len(missing))
            chunk = list(_texts(articles).filter(pk__in=missing[start : start + CHUNK]))
            texts = [a.search_text(byline=True) for a in chunk]
            made = pool.map(segment, texts, chunksize=25)
            _keep(
                [
                    Segmentation(article_id=a.pk, digest=_digest(t), text=m)
                    for a, t, m in zip(chunk, texts, made, strict=True)
                ]
            )
    if progress:
        progress(len(missing), len(missing))
    return len(missing)
