"""haystack's Solr backend searched through the engine-neutral plan (search.plan), on our
configset (search/solr/conf/, see search/solr/README.md).

- execute(request) -> SearchResult: the plan in Solr's standard query syntax (defType=lucene),
  evaluated by Solr: required clauses MUST, each ranking boost an optional SHOULD clause with
  its weight, so a document scores BM25 of the required terms plus weight × BM25 of each boost
  that matches (statistics over the whole collection: solrconfig's ExactStatsCache); constant
  tiers sort before that score (the sum of a request's tiers, then the score). Filters
  and the date range are filter queries; facets count the "_exact" docValues twins. A Solr that
  cannot answer raises SearchUnavailable.
- update/remove send no commit (Solr's soft commit each second makes writes searchable) unless
  asked, and raise IndexBusy when Solr is unreachable or failing (5xx): the outbox keeps the
  changes for the next try. A document Solr refuses (4xx) is a plain error, for that article.
- rebuild(index, workers): through an alias, into a new collection (soft commits off while it
  fills) the alias then points at; on a plain collection, every document re-sent in place and
  those of articles no longer published deleted. Either way searches keep answering meanwhile;
  `workers` forked processes make and send the documents.
- related_ids(pk, limit): articles like one, by Solr's distributed {!mlt} query parser.
- The connection's URL may name the collection on several nodes, comma-separated (SOLR_URL's
  list): FailoverSolr passes over a node that is away for the next.
- frequencies(field, terms): the collection's size and the document counts of the near
  spellings a query word may have (Solr's /terms handler, across shards), for search.forgiving.
- A search asks for the pseudo-fields of the page with the ids (distrib.singlePass: one round to
  the shards, not two) and for the collection's term statistics only when it ranks by score.

Documents carry the text and title in canonical form (one tone placement, as search.analysis
gives queries), once: the schema's copyFields fill the folded, paired (text_pairs) and compound
(text_words) fields and the facets' "_exact" twins from them.
"""

import contextlib
import datetime
import itertools
import logging
import math
import multiprocessing
import re
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any
from xml.etree import ElementTree

import pysolr
from django import db
from haystack.backends import BaseEngine
from haystack.backends.solr_backend import SolrSearchBackend, SolrSearchQuery
from haystack.constants import DJANGO_ID
from haystack.constants import ID as ID_FIELD
from haystack.utils import get_identifier, get_model_ct
from pysolr import SolrError

from search import plan
from search.analysis import canonical
from search.backend import IndexBusy
from search.solr.admin import CONF_DIR, SolrAdmin, node_urls

log = logging.getLogger(__name__)

SORTS = {  # a deterministic order for ties, as the shards merge
    "relevance": "score desc,id asc",
    "newest": "newest_first desc,id desc",
    "oldest": "oldest_first asc,id asc",
}
_HTTP_STATUS = re.compile(r"Solr responded with an error \(HTTP (\d{3})\)")
CHUNK = 500  # documents a rebuild sends at a time
SOFT_COMMIT = "updateHandler.autoSoftCommit.maxTime"  # off while a rebuild fills a new collection
CONNECT_TIMEOUT = 3.0  # seconds to reach a node before the next one named is tried
MAX_COMBINATIONS = 64  # clauses an AtLeast may expand to
# Fields the schema fills from another (copyField): a document leaves them out, sending its text once.
COPIED = frozenset(c.get("dest") for c in ElementTree.parse(CONF_DIR / "schema.xml").getroot().iter("copyField"))


_FORKED: list[Callable[[Any], Any]] = []  # what a forked rebuild process runs (a Pool sends its tasks pickled)


def _forked(task):
    return _FORKED[0](task)


def _quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def lucene(match: plan.Match) -> str:
    """A plan's match in Solr's standard syntax. Terms are analysed already; quoting them keeps
    any character literal, and Solr's analysis of an analysed term gives it back unchanged."""
    if isinstance(match, plan.Everything):
        return "*:*"
    if isinstance(match, plan.Term):
        if match.field == "text" and "_" in match.text:  # a pyvi compound: its own field in Solr
            return f"text_words:{_quoted(match.text)}"
        return f"{match.field}:{_quoted(match.text)}"
    if isinstance(match, plan.Phrase):
        if match.field == "text_folded" and len(match.words) == 2 and not match.slop:  # one term of the pairs field
            return f"text_pairs:{_quoted('_'.join(match.words))}"
        if match.slop:  # in order (Lucene's sloppy phrase would also take the words swapped)
            inner = f"{_quoted(' '.join(match.words))}~{match.slop}"
            return f"{{!complexphrase inOrder=true df={match.field} v={_quoted(inner)}}}"
        return f"{match.field}:{_quoted(' '.join(match.words))}"
    if isinstance(match, plan.AllOf):
        wanted = [f"+{lucene(p)}" for p in match.parts if not isinstance(p, plan.Not)] or ["+*:*"]
        return "(" + " ".join(wanted + [f"-{lucene(p.part)}" for p in match.parts if isinstance(p, plan.Not)]) + ")"
    if isinstance(match, plan.AnyOf):
        return "(" + " ".join(lucene(p) for p in match.parts) + ")"
    if isinstance(match, plan.AtLeast):
        return lucene(_at_least(match))
    if isinstance(match, plan.Not):
        return f"(*:* -{lucene(match.part)})"
    raise TypeError(f"not a plan match: {match!r}")


def _at_least(match: plan.AtLeast) -> plan.Match:
    """At least `count` of the parts as Lucene's standard syntax can say it: any of their
    combinations of that size, all of one. Past MAX_COMBINATIONS (a long query) fewer may be missing."""
    size = match.count
    while size < len(match.parts) and math.comb(len(match.parts), size) > MAX_COMBINATIONS:
        size += 1
    return plan.AnyOf(tuple(plan.AllOf(c) for c in itertools.combinations(match.parts, size)))


def _weight(weight: float) -> str:
    """A boost as the standard parser reads it: digits and a point, never an exponent (it would
    read "1e+06" as ^1 and then the words "e" and "06")."""
    return f"{weight:.6f}".rstrip("0").rstrip(".")


def _boost(boost: plan.Boost) -> str:
    """A ranking clause: weight × its score, or `weight` alone (^=) for a constant tier."""
    return f"({lucene(boost.match)})^{'=' if boost.constant else ''}{_weight(boost.weight)}"


def _instant(moment: datetime.datetime) -> str:
    """Solr's form of an instant, in UTC: 2020-11-13T00:03:00Z (years before 1000 included)."""
    return moment.astimezone(datetime.UTC).replace(tzinfo=None).isoformat(timespec="seconds") + "Z"


def select_params(request: plan.SearchRequest) -> dict:
    """The /select parameters for a request (q included). Constant tiers are a sort key of their
    own before the score (what the tiers add up to, then the rest of the ranking): Lucene's scores
    are 32-bit floats, so in a sum of millions and BM25 the documents of the same tiers would
    differ by less than a float can tell (6,000,224.25 and 6,000,224.12 are one float)."""
    tiers = [b for b in request.ranking if b.constant]
    scored = [b for b in request.ranking if not b.constant]
    q = " ".join([f"+{lucene(request.required)}"] + [_boost(b) for b in scored])
    filters = [
        f"{name}:(" + " OR ".join(_quoted(k) for k in keys) + ")" if keys else "-*:*" for name, keys in request.filters
    ]
    if request.published_from is not None or request.published_before is not None:
        start = _instant(request.published_from) if request.published_from else "*"
        end = _instant(request.published_before) if request.published_before else "*"
        filters.append(f"published:[{start} TO {end}}}")  # undated articles have no `published`
    if request.undated_only:
        filters.append("-published:[* TO *]")
    params = {
        "q": q,
        "defType": "lucene",
        "q.op": "OR",
        "fl": ID_FIELD,  # the unique key alone: the shards' first answer has it, no second round for fields
        "sort": SORTS[request.sort],
        "start": request.offset,
        "rows": request.limit,
        "fq": filters,
        # The pseudo-fields of `report` with the ids in the shards' first answer: no second round.
        "distrib.singlePass": "true",
    }
    if request.sort != "relevance" or not request.limit:  # no score asked: no round for the term statistics
        params["distrib.statsCache"] = "false"
    if tiers and request.sort == "relevance":
        params |= {"sort": f"query($tiers,0) desc,{params['sort']}", "tiers": " ".join(_boost(b) for b in tiers)}
    if request.facets:
        params |= {
            "facet": "true",
            "facet.field": [f"{{!key={name}}}{name}_exact" for name in request.facets],
            "facet.limit": request.facet_limit or -1,
            "facet.mincount": 1,
            "facet.sort": "count",
        }
    if request.tally:  # counted among the matches, across shards
        params |= {
            "facet": "true",
            "facet.query": [f"{{!key=tally{i} v=$tally{i}q}}" for i in range(len(request.tally))],
        }
        params |= {f"tally{i}q": lucene(m) for i, m in enumerate(request.tally)}
    if request.report:  # per document of the page: a pseudo-field each
        params["fl"] = ",".join(
            [ID_FIELD] + [f"report{i}:exists(query($report{i}q))" for i in range(len(request.report))]
        )
        params |= {f"report{i}q": lucene(m) for i, m in enumerate(request.report)}
    return params


def _unreachable(error: SolrError) -> bool:
    """No answer at all, or a server error (e.g. a shard without a leader): worth trying again."""
    status = _HTTP_STATUS.match(str(error))
    return status is None or int(status.group(1)) >= 500


def _node_away(error: SolrError) -> bool:
    """This node gave no answer, or says it cannot serve now: another node may."""
    status = _HTTP_STATUS.match(str(error))
    return status is None or int(status.group(1)) in (502, 503, 504)


class FailoverSolr(pysolr.Solr):
    """pysolr's client on a collection reached through any of several nodes: `url` is one
    collection address or several, comma-separated (http://a:8983/solr/archive,http://b:8983/solr/archive).
    A request goes to the node that answered last; one that cannot be reached (or answers 502-504)
    is passed over for the next, in turn, so the first node named being down costs one refused
    connection (at most CONNECT_TIMEOUT for a machine that is gone). Any node serves the whole
    collection: SolrCloud forwards to the replicas, and writes to the shard leaders."""

    def __init__(self, url: str, timeout: float = 60, **kwargs):
        self.urls = node_urls(url)
        self._sending = threading.local()  # whether this thread's request has a body
        super().__init__(self.urls[0], timeout=timeout, **kwargs)

    @property
    def timeout(self):
        """(connect, read) seconds for a request without a body; the whole time for one with a
        body: urllib3 sends the body under the connect timeout, and Solr reads an update's body
        as it analyses it."""
        return self._timeouts[1] if getattr(self._sending, "body", False) else self._timeouts[0]

    @timeout.setter
    def timeout(self, seconds: float):
        self._timeouts = ((min(CONNECT_TIMEOUT, seconds), seconds), seconds)

    def _send_request(self, method, path="", body=None, headers=None, files=None):
        self._sending.body = body is not None
        try:
            for attempt in range(len(self.urls)):
                self.url = self.urls[0]
                try:
                    return super()._send_request(method, path, body, headers, files)
                except SolrError as error:
                    if attempt == len(self.urls) - 1 or not _node_away(error):
                        raise
                    log.warning("Solr node %s did not answer (%s); trying %s", self.url, str(error)[:80], self.urls[1])
                    self.urls.append(self.urls.pop(0))
            raise AssertionError("unreachable")
        finally:
            self._sending.body = False


class VietnameseSolrBackend(SolrSearchBackend):
    def __init__(self, connection_alias, **connection_options):
        super().__init__(connection_alias, **connection_options)
        options = connection_options.get("KWARGS", {})
        self.conn = FailoverSolr(connection_options["URL"], timeout=self.timeout, **options)

    # --- searching ---------------------------------------------------------------------------
    def _select(self, params: dict, handler: str = "select"):
        params = {"defType": "lucene", **params}
        try:
            return self.conn.search(params.pop("q"), search_handler=handler, **params)
        except SolrError as error:
            log.error("Solr could not search: %s", error)
            raise plan.SearchUnavailable(str(error)) from error

    def execute(self, request: plan.SearchRequest) -> plan.SearchResult:
        found = self._select(select_params(request))
        counts = found.facets.get("facet_fields", {}) if request.facets else {}
        facets = {}
        for name in request.facets:
            flat = counts.get(name, [])
            facets[name] = sorted(zip(flat[::2], flat[1::2], strict=True), key=lambda pair: (-pair[1], pair[0]))
        queries = found.facets.get("facet_queries", {}) if request.tally else {}
        return plan.SearchResult(
            ids=[int(doc[ID_FIELD].rpartition(".")[2]) for doc in found.docs],  # archive.article.<pk>
            count=found.hits,
            facets=facets,
            tallies=[int(queries.get(f"tally{i}", 0)) for i in range(len(request.tally))],
            present=[tuple(bool(doc.get(f"report{i}")) for i in range(len(request.report))) for doc in found.docs],
        )

    def related_ids(self, pk: int, limit: int) -> list[int]:
        """The articles most like article `pk` (search.query.related's engine hook): Solr's {!mlt}
        query parser, distributed (its /mlt handler sees one shard): it fetches the document from
        its shard and asks every shard for the documents sharing its most telling terms (by
        tf-idf over the collection), title words counting three times. The exact fields, since
        {!mlt} reads stored text. An article not indexed yet has none."""
        params = {
            "q": f"{{!mlt qf=title^3,text mintf=1 mindf=2 maxqt=25 boost=true}}archive.article.{pk}",
            "defType": "lucene",  # local parameters in q are read under the standard parser only
            "fl": DJANGO_ID,
            "rows": limit + 1,
        }
        try:
            found = self.conn.search(params.pop("q"), **params)
        except SolrError as error:
            if _unreachable(error):
                raise plan.SearchUnavailable(str(error)) from error
            log.warning("No related articles for %s: %s", pk, error)
            return []  # Solr's 400: no document of that id
        return [int(doc[DJANGO_ID]) for doc in found.docs if int(doc[DJANGO_ID]) != pk][:limit]

    def frequencies(self, field_name: str, terms) -> tuple[int, dict[str, int]]:
        """(documents in the collection, how many hold each of `terms` that it knows), summed over
        shards: one request to Solr's implicit /terms handler (the TermsComponent alone, with the
        shards' document counts: terms.stats). Beside a query on /select it would cost a round
        of term statistics and a query on every shard, each running the term lookups again."""
        found = self._select(
            {
                "q": "*:*",
                "terms.fl": field_name,
                "terms.list": ",".join(sorted(terms)),
                "terms.limit": -1,
                "terms.stats": "true",
            },
            handler="terms",
        )
        flat = found.raw_response.get("terms", {}).get(field_name, [])
        pairs = (
            zip(flat[::2], flat[1::2], strict=True) if flat and not isinstance(flat, dict) else (flat or {}).items()
        )
        documents = int(found.raw_response.get("indexstats", {}).get("numDocs", 0))
        return documents, {term: int(n) for term, n in pairs if int(n)}

    # --- writing -----------------------------------------------------------------------------
    def document(self, index, obj) -> dict:
        """What Solr is sent for `obj`: its index fields but those the schema copies (COPIED),
        the text (pyvi-segmented: compounds joined by "_") and title in canonical form."""
        doc = index.full_prepare(obj)
        doc["text"] = canonical(doc["text"])
        doc["title"] = canonical(doc["title"])
        return {k: _instant(v) if isinstance(v, datetime.datetime) else v for k, v in doc.items() if k not in COPIED}

    def _write(self, send, *args, **kwargs):
        try:
            return send(*args, **kwargs)
        except SolrError as error:
            if _unreachable(error):
                raise IndexBusy(str(error)) from error
            raise

    def update(self, index, iterable, commit=False):
        """Send the documents; `commit` makes them searchable at once (a soft commit), otherwise
        Solr's own soft commit does within a second."""
        self._add(self.conn, index, iterable, commit)

    def _add(self, conn, index, objects, commit=False):
        docs = [self.document(index, obj) for obj in objects]
        if docs:
            self._write(conn.add, docs, commit=False, softCommit=commit)

    def remove(self, obj_or_string, commit=False):
        self._write(self.conn.delete, id=get_identifier(obj_or_string), commit=False, softCommit=commit)

    def rebuild(self, index, workers=1, progress=None) -> int:
        """Index every object of `index` anew (on `workers` processes); searches keep answering
        throughout. When the connection names an alias, into a new collection of the same shape,
        which the alias then points at (a changed configset takes effect so), with Solr's soft
        commits off until it is complete; the collection it left stays until the next rebuild,
        older ones go. Otherwise in place: every document sent again, then those of objects no
        longer indexed deleted."""
        bases = [url.rsplit("/", 1)[0] for url in self.conn.urls]
        name = self.conn.urls[0].rsplit("/", 1)[1]
        admin = SolrAdmin(",".join(bases))
        current = admin.aliases().get(name)
        if current is None:
            done, sent = self._send_all(self.conn, index, progress, workers)
            gone = self.indexed_ids() - sent
            if gone:
                self._write(self.conn.delete, id=sorted(gone), commit=False)
            self._write(self.conn.commit)
            return done
        shards = admin.status(current)["shards"].values()
        built = f"{name}_{time.strftime('%Y%m%d%H%M%S')}"
        admin.create_collection(built, shards=len(shards), replicas=len(next(iter(shards))["replicas"]))
        try:
            admin.set_property(built, SOFT_COMMIT, -1)  # no searcher to open while nobody searches it
            conn = FailoverSolr(",".join(f"{base}/{built}" for base in bases), timeout=self.timeout)
            done, _sent = self._send_all(conn, index, progress, workers)
            self._write(conn.commit)
            admin.set_property(built, SOFT_COMMIT)  # the configset's again (edits searchable within a second)
        except BaseException:
            admin.delete_collection(built)
            raise
        admin.create_alias(name, built)
        for old in admin.collections():
            if re.fullmatch(rf"{re.escape(name)}_\d{{14}}", old) and old not in (built, current):
                admin.delete_collection(old)
        return done

    def _send_all(self, conn, index, progress, workers=1) -> tuple[int, set[str]]:
        """Every object of `index` sent to `conn` in batches of CHUNK consecutive ids: how many,
        and their ids. The batches are made and sent by `workers` forked processes (one for a
        single batch): reading the database, the canonical text and the JSON are Python's share
        of a rebuild, so several cores do it while Solr analyses what they sent."""
        pks = list(index.index_queryset(using=self.connection_alias).order_by("pk").values_list("pk", flat=True))
        pieces = [(pks[i], pks[min(i + CHUNK, len(pks)) - 1]) for i in range(0, len(pks), CHUNK)]

        def send(piece: tuple[int, int]) -> int:
            objects = index.index_queryset(using=self.connection_alias).filter(pk__gte=piece[0], pk__lte=piece[1])
            docs = [self.document(index, obj) for obj in objects.order_by("pk")]
            if docs:
                self._write(conn.add, docs, commit=False, softCommit=False)
            return len(docs)

        started, done = time.monotonic(), 0
        processes = min(max(1, workers), len(pieces))
        sent: Iterable[int]
        with contextlib.ExitStack() as stack:
            if processes > 1:
                db.connections.close_all()  # each process opens its own
                conn.session = None  # and its own HTTP connections (pysolr makes a session when none)
                _FORKED[:] = [send]
                sent = stack.enter_context(multiprocessing.get_context("fork").Pool(processes)).imap(_forked, pieces)
            else:
                sent = map(send, pieces)
            for count in sent:
                done += count
                if progress:
                    progress(done, time.monotonic() - started)
        model = get_model_ct(index.get_model())  # haystack's identifiers: "archive.article.<pk>"
        return done, {f"{model}.{pk}" for pk in pks}

    def indexed_ids(self) -> set[str]:
        """Every document id the collection holds (a cursor through all of them)."""
        ids: set[str] = set()
        cursor = "*"
        while True:
            page = self._select({"q": "*:*", "fl": ID_FIELD, "sort": "id asc", "rows": 1000, "cursorMark": cursor})
            ids.update(doc[ID_FIELD] for doc in page.docs)
            if page.nextCursorMark in (None, cursor):
                return ids
            cursor = page.nextCursorMark


class VietnameseSolrEngine(BaseEngine):
    backend = VietnameseSolrBackend
    query = SolrSearchQuery
