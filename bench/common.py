"""Shared set-up for the benchmarks: an archive of the shared corpus in its own data folder,
the same articles in a plain SQLite FTS5 index as the baseline, and known-item queries.

Usage from a bench script:
    args = common.arguments(__doc__)            # parses --corpus, --data-dir, --limit, --engine, ...
    built = common.prepare(args)               # imports and indexes unless --data-dir already has them;
                                               # {engine: seconds its full rebuild took, or None}
    for name in args.engine:                   # whoosh, solr or both, measured in the same run
        common.use_engine(name, args)          # the search (pages, API, query.search) now runs on it

With --engine solr the archive's articles are also indexed into a SolrCloud collection
(--solr-collection, on --solr-url or SOLR_URL: an alias, made with a first collection when
missing), rebuilt when it does not hold the database's articles. A throwaway cluster of the
tests' launcher serves for this:

    .venv/bin/python tests/solr_cluster.py .venv/bin/python bench/search_speed.py \
        --data-dir /work/bench/solr5k --engine whoosh solr --rebuild
"""

import argparse
import os
import random
import re
import sqlite3
import sys
import tempfile
import time
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
ENGINES = ("whoosh", "solr")
_WHOOSH: dict[str, dict] = {}  # the Whoosh connection the settings made (SEARCH_ENGINE unset)


def arguments(description, extend=None, **defaults):
    """The common options; `extend(parser)` adds a script's own."""
    parser = argparse.ArgumentParser(description=description, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", default=str(ROOT.parent / "shared" / "corpus" / "news.jsonl.gz"))
    parser.add_argument("--data-dir", help="reuse (or create) this archive folder instead of a temporary one")
    parser.add_argument(
        "--limit",
        type=int,
        default=defaults.get("limit", 0),
        help="import only the first N articles of the corpus (0: all)",
    )
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="rebuild_index workers")
    parser.add_argument("--queries", type=int, default=defaults.get("queries", 200), help="known-item queries")
    parser.add_argument("--seed", type=int, default=2017)
    parser.add_argument(
        "--engine",
        nargs="+",
        choices=ENGINES,
        default=["whoosh"],
        help="the search engine(s) measured, each in turn in the same run (solr: on --solr-url)",
    )
    parser.add_argument("--solr-url", default=os.environ.get("SOLR_URL", ""), help="SolrCloud node(s) (SOLR_URL)")
    parser.add_argument("--solr-collection", default="bench", help="the collection holding the bench archive")
    parser.add_argument("--solr-shards", type=int, default=2, help="its shards, when it is created")
    parser.add_argument("--solr-replicas", type=int, default=1, help="its replicas of each shard, when created")
    parser.add_argument(
        "--rebuild", action="store_true", help="rebuild every engine's index (timed) even when it holds the archive"
    )
    if extend:
        extend(parser)
    return parser.parse_args()


def setup_django(data_dir):
    os.environ["ARCHIVE_DATA_DIR"] = str(data_dir)
    # The settings' engine is Whoosh (tests/solr_cluster.py sets SEARCH_ENGINE=solr): --engine chooses.
    os.environ["SEARCH_ENGINE"] = "whoosh"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost")
    # One client searching as fast as it can is what the per-reader limit refuses: off while measuring.
    os.environ.setdefault("SEARCH_RATE", "off")
    os.environ.setdefault("SEARCH_CONCURRENCY", "0")
    import django

    django.setup()


def limited_corpus(corpus, limit):
    """The first `limit` lines of the corpus, as a temporary JSON-lines file."""
    import gzip

    handle = tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False, encoding="utf-8")
    with gzip.open(corpus, "rt", encoding="utf-8") as lines, handle:
        for number, line in enumerate(lines):
            if number >= limit:
                break
            handle.write(line)
    return handle.name


def prepare(args):
    """Import and index the corpus into the data folder when it is not there yet; index it into
    each engine of --engine that does not hold it (or every one, with --rebuild). Returns
    {engine: seconds its full rebuild took, or None when reused}."""
    data_dir = Path(args.data_dir or tempfile.mkdtemp(prefix="archive-bench-"))
    setup_django(data_dir)
    from django.core.management import call_command

    from archive.models import Article

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)  # pages name static files by their hashes
    call_command("load_gazetteer", verbosity=0)  # the importer links localities against it
    built = dict.fromkeys(args.engine)
    if Article.objects.exists():
        print(f"# reusing {data_dir}: {Article.objects.count():,} articles", flush=True)
    else:
        source = limited_corpus(args.corpus, args.limit) if args.limit else args.corpus
        started = time.monotonic()
        try:
            call_command("import_articles", source, verbosity=0)
        except Exception as exc:  # a broken line is reported and skipped; the rest is imported
            print(f"# import: {exc}", flush=True)
        print(
            f"# imported {Article.objects.count():,} articles in {time.monotonic() - started:.1f} s into {data_dir}",
            flush=True,
        )
        if "whoosh" in args.engine or not args.engine:
            use_engine("whoosh", args)
            built["whoosh"] = rebuild(args)
    for name in args.engine:
        use_engine(name, args)
        if built.get(name) is None and (args.rebuild or not holds_archive(name)):
            built[name] = rebuild(args)
    return built


def rebuild(args) -> float:
    """A full rebuild_index of the archive into the current engine; its seconds."""
    from django.core.management import call_command

    started = time.monotonic()
    call_command("rebuild_index", interactive=False, workers=args.workers, batchsize=500, verbosity=0)
    return time.monotonic() - started


def use_engine(name, args):
    """Point haystack's default connection (so every search and rebuild) at engine `name`."""
    from django.conf import settings
    from haystack import connections

    if not _WHOOSH:
        _WHOOSH["default"] = dict(settings.HAYSTACK_CONNECTIONS["default"])
    if name == "whoosh":
        options = _WHOOSH["default"]
    else:
        from search.solr.admin import SolrAdmin, node_urls

        if not args.solr_url:
            raise SystemExit(
                "--engine solr needs a SolrCloud: --solr-url or SOLR_URL, or run this through "
                "tests/solr_cluster.py (a throwaway cluster)."
            )
        admin = SolrAdmin(args.solr_url)
        if args.solr_collection not in admin.collections() and args.solr_collection not in admin.aliases():
            # An alias, as in production: a rebuild fills a new collection, then the alias moves.
            first = f"{args.solr_collection}_{time.strftime('%Y%m%d%H%M%S')}"
            print(f"# creating Solr collection {first}, alias {args.solr_collection}", flush=True)
            admin.create_collection(first, shards=args.solr_shards, replicas=args.solr_replicas)
            admin.create_alias(args.solr_collection, first)
        options = {
            "ENGINE": "search.solr_backend.VietnameseSolrEngine",
            "URL": ",".join(f"{url}/{args.solr_collection}" for url in node_urls(args.solr_url)),
            "SILENTLY_FAIL": False,
            "TIMEOUT": 120,
        }
    settings.HAYSTACK_CONNECTIONS = {"default": options}
    connections.connections_info["default"] = options
    connections.reload("default")


def holds_archive(name) -> bool:
    """Whether the current engine's index holds as many documents as the archive has published articles."""
    from haystack.query import SearchQuerySet

    from archive.models import Article

    try:
        indexed = SearchQuerySet().all().count()
    except Exception:  # no index yet
        return False
    published = Article.objects.filter(status="published").count()
    if indexed != published:
        print(f"# {name} holds {indexed:,} documents, the archive {published:,} published articles", flush=True)
    return indexed == published


def engine_label(name, args) -> str:
    if name == "solr":
        return f"Solr ({args.solr_shards}x{args.solr_replicas})"
    return "Whoosh"


# --- the FTS5 baseline ------------------------------------------------------------------------
def fts5_index(articles):
    """An in-memory FTS5 index (unicode61, remove_diacritics 2) of (pk, title, text) rows."""
    db = sqlite3.connect(":memory:")
    db.execute("CREATE VIRTUAL TABLE docs USING fts5(title, body, tokenize='unicode61 remove_diacritics 2')")
    db.executemany("INSERT INTO docs(rowid, title, body) VALUES (?, ?, ?)", articles)
    db.commit()
    return db


def _fts5_words(text):
    return ['"' + w.replace('"', "") + '"' for w in "".join(c if c.isalnum() else " " for c in text).split()]


def _fts5_ranked(db, query, limit):
    try:
        sql = "SELECT rowid FROM docs WHERE docs MATCH ? ORDER BY bm25(docs, 3.0, 1.0) LIMIT ?"
        return [row[0] for row in db.execute(sql, (query, limit))]
    except sqlite3.OperationalError:
        return []


def fts5_search(db, text, limit=10):
    """The rowids FTS5 ranks first for the words of `text` (all required, bm25 order)."""
    words = _fts5_words(text)
    return _fts5_ranked(db, " ".join(words), limit) if words else []


def fts5_forgiving(db, text, few, most_words_from, limit=10):
    """fts5_search, then, as the archive's search does when every word finds fewer than `few`
    articles, once more for the articles holding all the words but one (of `most_words_from` or
    more words), below those holding every word: the same amount of work for a known item."""
    words = _fts5_words(text)
    strict = _fts5_ranked(db, " ".join(words), limit) if words else []
    if len(strict) >= few or len(words) < most_words_from:
        return strict
    all_but_one = " OR ".join("(" + " ".join(words[:i] + words[i + 1 :]) + ")" for i in range(len(words)))
    return [*strict, *(pk for pk in _fts5_ranked(db, all_but_one, limit) if pk not in strict)][:limit]


# --- what journalists type ----------------------------------------------------------------------
# Short common words (they match thousands of articles, which is what costs), some with a filter,
# a sort or a date range: (parameters) for /search/ and /api/search/.
EVERYDAY = [
    *(
        {"q": q}
        for q in [
            "xây dựng Đảng",
            "xay dung dang",
            "nhân dân",
            "công an",
            "bí thư tỉnh ủy",
            "bi thu tinh uy",
            "đại hội",
            "chính quyền",
            "phát triển kinh tế",
            "an ninh trật tự",
            "giáo dục",
            "y tế",
            "nông thôn mới",
            "cán bộ",
            "tham nhũng",
            "doanh nghiệp",
            "giao thông",
            "thành phố",
            "hội nghị",
            "chủ tịch",
            "học sinh",
            "biển đảo",
            "bão lũ",
            "môi trường",
            "việc làm",
            "Hà Nội",
            "TP.HCM",
            "quốc hội",
            "kiểm tra",
            "nghị quyết",
        ]
    ),
    {"q": "nhân dân", "province": "ha-noi"},
    {"q": "công an", "province": "2025:ho-chi-minh"},
    {"q": "đại hội", "sort": "newest"},
    {"q": "cán bộ", "sort": "oldest"},
    {"q": "xây dựng", "from": "2017-01-01", "to": "2017-12-31"},
    {"q": "kinh tế", "province": "da-nang", "sort": "newest"},
    {"q": "bí thư", "term": "2015-2020"},
    {"q": "giáo dục -đại học"},
    {"q": '"phát triển kinh tế"'},
    {"q": "title:Hà Nội"},
]


def pyvi_speed(articles, seconds=3.0):
    """Characters per second pyvi segments on this machine now (it varies 2x from day to day)."""
    from search.analysis import segment

    done, started = 0, time.perf_counter()
    for _pk, title, body in articles:
        done += len(segment(f"{title}\n{body}"))
        if time.perf_counter() - started > seconds:
            break
    return done / (time.perf_counter() - started)


# --- known-item queries -------------------------------------------------------------------------
_NEW_TO_OLD = {
    "òa": "oà",
    "óa": "oá",
    "ỏa": "oả",
    "õa": "oã",
    "ọa": "oạ",
    "òe": "oè",
    "óe": "oé",
    "ỏe": "oẻ",
    "õe": "oẽ",
    "ọe": "oẹ",
    "ùy": "uỳ",
    "úy": "uý",
    "ủy": "uỷ",
    "ũy": "uỹ",
    "ụy": "uỵ",
}


def old_tone_marks(text):
    """Write "hòa", "thúy" the old way: "hoà", "thuý" (open syllables only)."""
    words = []
    for word in text.split(" "):
        for new, old in _NEW_TO_OLD.items():
            if word.lower().endswith(new) and not word.lower().endswith("q" + new):
                word = word[: -len(new)] + (old.upper() if word[-len(new) :].isupper() else old)
        words.append(word)
    return " ".join(words)


def variants(phrase):
    from archive.text import fold

    return {
        "as typed": phrase,
        "no diacritics": fold(phrase),
        "old tone marks": old_tone_marks(phrase),
        "decomposed": unicodedata.normalize("NFD", phrase),
        "lowercase": phrase.lower(),
    }


def known_items(articles, count, seed, words=4):
    """(pk, phrase) pairs: `words` consecutive words of a sampled article's body, the stretch
    whose words are rarest in the collection (the distinctive phrase a journalist remembers)."""
    import math

    from archive.text import fold

    def terms(text):
        return fold(text).lower().split()

    df: dict[str, int] = {}
    for _pk, title, body in articles:
        for term in set(terms(f"{title} {body}")):
            df[term] = df.get(term, 0) + 1
    idf = {term: math.log(len(articles) / n) for term, n in df.items()}

    rng = random.Random(seed)
    picked = []
    for pk, _title, body in rng.sample(articles, min(len(articles), count * 3)):
        # A dash or plus at a word's edge is punctuation ("Xi- ma -cai"), not the query syntax it would be.
        tokens = [t.strip(".,;:!?\"“”()'…-+") for t in body.split()]
        worded = [any(c.isalpha() for c in t) for t in tokens]
        if sum(worded) < 40:
            continue
        # Words standing together in the text: a number between two words ("khoản 2 Điều") breaks a span.
        spans = [tokens[i : i + words] for i in range(len(tokens) - words) if all(worded[i : i + words])]
        if not spans:
            continue
        best = max(spans, key=lambda span: sum(idf.get(t, 0) for t in terms(" ".join(span))))
        picked.append((pk, " ".join(best)))
        if len(picked) == count:
            break
    return picked


# --- what a journalist half remembers (search.forgiving) ----------------------------------------
_LETTERS = re.compile(r"[^\W\d_]{4}")  # four letters in a row: a word a slip of a letter is tried on
COMMON_WORDS = ["phát triển", "công tác", "nhân dân", "kinh tế", "xã hội", "thực hiện", "quản lý", "tổ chức"]


def _slip(phrase, rng, slip):
    """`phrase` with `slip(word)` applied to one of its words of four letters in a row (None: none has)."""
    words = phrase.split()
    long_ones = [i for i, w in enumerate(words) if _LETTERS.search(w)]
    if not long_ones:
        return None
    at = rng.choice(long_ones)
    words[at] = slip(words[at], rng)
    return " ".join(words)


def _drop_letter(word, rng):
    """A letter (not the first, nor a sign: "đồng/chỉ" loses no "/") dropped."""
    at = rng.choice([i for i in range(1, len(word)) if word[i].isalpha()])
    return word[:at] + word[at + 1 :]


def _swap_letters(word, rng):
    """Two neighbouring letters (not the first) swapped."""
    at = rng.choice([i for i in range(1, len(word) - 1) if word[i].isalpha() and word[i + 1].isalpha()])
    return word[:at] + word[at + 1] + word[at] + word[at + 2 :]


def misremembered(phrase, rng):
    """One word of `phrase` swapped for a common word that is not in it."""
    words = phrase.split()
    other = rng.choice([w for w in COMMON_WORDS if w not in phrase.lower()])
    words[rng.randrange(len(words))] = other
    return " ".join(words)


def forgiving_kinds(articles, count, seed):
    """{kind: [(pk, query, phrase)]}: known items typed as a journalist half remembers them, each
    with the phrase (or headline) of the article it was made from."""
    from archive.text import fold

    rng = random.Random(seed)
    fives, fours, pairs = (known_items(articles, count, seed, words=n) for n in (5, 4, 2))
    titles = {pk: title for pk, title, _body in articles}
    kinds = {
        "misremembered": [(pk, misremembered(p, rng), p) for pk, p in fives],
        "dropped letter": [(pk, _slip(p, rng, _drop_letter), p) for pk, p in fours],
        "swapped letters": [(pk, _slip(p, rng, _swap_letters), p) for pk, p in fours],
        "rare pair": [(pk, p, p) for pk, p in pairs],
        "headline, no marks": [(pk, fold(titles[pk]), titles[pk]) for pk, _p in fours],
    }
    return {kind: [item for item in items if item[1]] for kind, items in kinds.items()}
