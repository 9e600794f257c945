"""pyvi's segmentation of each article's searchable text, made once and kept (search.models.Segmentation).

segmented(article)       -> the text the index searches (Article.search_text(byline=True): title,
                            lead, body, captions, byline, one per line, the title first, so its
                            segmentation is the first line) segmented ("Xây_dựng Đảng …"), from
                            the kept copy when it was made from this very text, else made now.
fill(articles, workers, progress) -> makes every missing or stale one, on `workers` processes,
                            calling progress(done, total) as it goes; returns how many it made.
                            A rebuild calls it first, so it writes without pyvi.
Ahead(workers)           -> pyvi in `workers` processes while this one works: start(articles)
                            makes their missing or stale ones there, keep() waits and keeps them
                            (the index worker writes one batch while the next is segmented).
"""

import hashlib
import logging
import multiprocessing
import multiprocessing.dummy
import multiprocessing.pool

from django.db.models import QuerySet

from archive.models import Article
from search.analysis import segment
from search.models import Segmentation

CHUNK = 500
log = logging.getLogger(__name__)


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


def _keep_made(texts: list[tuple[int, str]], made: list[str]) -> None:
    """Keep the segmentations `made` of `texts`, (article id, searchable text) pairs."""
    _keep(
        [Segmentation(article_id=pk, digest=_digest(text), text=m) for (pk, text), m in zip(texts, made, strict=True)]
    )


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
            chunk = _texts(articles).filter(pk__in=missing[start : start + CHUNK])
            texts = [(a.pk, a.search_text(byline=True)) for a in chunk]
            _keep_made(texts, pool.map(segment, [text for _pk, text in texts], chunksize=25))
    if progress:
        progress(len(missing), len(missing))
    return len(missing)


class Ahead:
    """pyvi in processes of its own (started afresh, as fill's), working while this one does
    something else. A context manager: the processes end with it. A segmentation that fails
    there is left to segmented(), which makes it when the article is indexed."""

    def __init__(self, workers: int = 1) -> None:
        self._pool = multiprocessing.get_context("spawn").Pool(workers)
        self._started: tuple[list[tuple[int, str]], multiprocessing.pool.AsyncResult] | None = None

    def __enter__(self) -> "Ahead":
        return self

    def __exit__(self, *_exc) -> None:
        self._pool.terminate()
        self._pool.join()

    def start(self, articles: QuerySet) -> None:
        """Keep what was started before, then segment those of `articles` whose text has no
        current segmentation."""
        self.keep()
        kept = dict(Segmentation.objects.filter(article__in=articles).values_list("article_id", "digest"))
        texts = [(a.pk, a.search_text(byline=True)) for a in _texts(articles)]
        texts = [(pk, text) for pk, text in texts if kept.get(pk) != _digest(text)]
        if texts:
            self._started = (texts, self._pool.map_async(segment, [text for _pk, text in texts], chunksize=25))

    def keep(self) -> None:
        """Wait for what start() began and keep it."""
        if self._started is None:
            return
        texts, made = self._started
        self._started = None
        try:
            _keep_made(texts, made.get())
        except Exception:  # pyvi failed there: segmented() tries again, here, and reports it
            log.exception("Segmenting %d articles ahead failed", len(texts))
