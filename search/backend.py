"""haystack's Whoosh backend with Vietnamese analysis and Vietnamese query compilation.

- build_schema: text fields declared with an analyzer get it (the stock backend would stem
  them as English and store them whole); facet fields become exact keywords.
- compile_query(parsed) -> Whoosh query syntax for a search.syntax.ParsedQuery: every item must
  match in the exact or the accent-folded field; optional clauses rank the query's words
  standing together (phrase, then near each other), title matches, pyvi compounds and exact
  accents above the rest.
- create_spelling_suggestion(text) -> the query with unknown words replaced by the closest
  indexed word, or "" when nothing better is known.
"""

from haystack.backends import BaseEngine
from haystack.backends.whoosh_backend import WhooshSearchBackend, WhooshSearchQuery
from haystack.inputs import BaseInput
from whoosh.fields import ID, KEYWORD, TEXT
from whoosh.matching.wrappers import WrappingMatcher
from whoosh.qparser import QueryParser
from whoosh.query import NullQuery
from whoosh.query.wrappers import WrappingQuery

from search.analysis import canonical, folded, query_words, segment
from search.syntax import Clause, ParsedQuery

EXACT_BOOST = 2.0     # an accent-exact match counts twice a folded one
PHRASE_BOOST = 8.0    # all the query's words in order
NEAR_BOOST = 4.0      # all of them within a few words of each other
NEAR_SLOP = 6
TITLE_BOOST = 3.0
COMPOUND_BOOST = 1.5
MATCH_ALL = "*:*"  # Whoosh's every-document query; a bare "*" means nothing to the Vietnamese analyzer


class VietnameseQuery(BaseInput):
    """A parsed query handed to the backend, which compiles it in its own syntax."""

    input_type_name = "vietnamese"
    post_process = False

    def __init__(self, parsed: ParsedQuery, **kwargs):
        self.parsed = parsed
        super().__init__(str(parsed), **kwargs)

    def prepare(self, query_obj):
        return query_obj.backend.compile_query(self.parsed)


def _quoted(words):
    return '"' + " ".join(words) + '"' if len(words) > 1 else words[0]


class _NoSkipping(WrappingMatcher):
    def supports_block_quality(self):
        return False

    def replace(self, minquality=0):
        child = self.child.replace(0)  # never prune by quality, only drop what is exhausted
        return self if child is self.child else self._replacement(child)


class Exhaustive(WrappingQuery):
    """Scores every matching document. Whoosh's quality pruning, used when only the top of the
    results is asked for, dropped documents tied in score, so page 2 repeated page 1."""

    def matcher(self, searcher, context=None):
        return _NoSkipping(self.child.matcher(searcher, context))


class ExhaustiveParser(QueryParser):
    def parse(self, text, normalize=True, debug=False):
        query = super().parse(text, normalize=normalize, debug=debug)
        return query if query is NullQuery else Exhaustive(query)


class VietnameseWhooshBackend(WhooshSearchBackend):
    def setup(self):
        super().setup()
        plugins = self.parser.plugins
        self.parser = ExhaustiveParser(self.content_field_name, schema=self.schema, plugins=plugins)

    def build_schema(self, fields):
        content_field_name, schema = super().build_schema(fields)
        for field in fields.values():
            name = field.index_fieldname
            replacement = None
            if field.analyzer is not None:
                replacement = TEXT(analyzer=field.analyzer, phrase=True, field_boost=field.boost)
            elif field.faceted or getattr(field, "facet_for", None):
                replacement = KEYWORD(stored=True, commas=True, scorable=False) if field.is_multivalued \
                    else ID(stored=True)
            if replacement is not None:
                schema.remove(name)
                schema.add(name, replacement)
        return content_field_name, schema

    # --- queries -------------------------------------------------------------------------
    def _clause(self, clause: Clause) -> str:
        exact = clause.words
        folded_words = [folded(w) for w in exact]
        if clause.field == "author":
            return f"author:{_quoted(folded_words)}"
        field = "title" if clause.field == "title" else "text"
        return f"({field}:{_quoted(exact)}^{EXACT_BOOST} OR {field}_folded:{_quoted(folded_words)})"

    def compile_query(self, parsed: ParsedQuery) -> str:
        required = []
        for item in parsed.items:
            alternatives = " OR ".join(self._clause(c) for c in item.alternatives)
            required.append(f"NOT ({alternatives})" if item.negated else f"({alternatives})")
        if not parsed:  # only exclusions: everything but them
            required.insert(0, MATCH_ALL)
        query = " AND ".join(required)

        free = parsed.free_clauses
        words = [w for c in free for w in c.words]
        ranking = []
        if len(words) > 1:
            folded_words = [folded(w) for w in words]
            ranking += [f"text_folded:{_quoted(folded_words)}^{PHRASE_BOOST}",
                        f'text_folded:"{" ".join(folded_words)}"~{NEAR_SLOP}^{NEAR_BOOST}']
        if words:
            ranking.append(f"title_folded:({' OR '.join(folded(w) for w in words)})^{TITLE_BOOST}")
        compounds = {w for c in free for w in segment(c.text).split() if "_" in w}
        ranking += [f"text:{canonical(w)}^{COMPOUND_BOOST}" for w in sorted(compounds)]
        # Parenthesised whole: haystack appends filters with AND, which binds tighter than ANDMAYBE.
        return f"(({query}) ANDMAYBE ({' OR '.join(ranking)}))" if ranking else f"({query})"

    def search(self, query_string, start_offset=0, end_offset=None, **kwargs):
        query_string = MATCH_ALL if query_string == "*" else query_string
        length = (end_offset or 0) - (start_offset or 0)
        if start_offset and length > 0 and start_offset % length:
            # Whoosh pages are whole pages: the stock backend served items 15-30 for a request of 20-35.
            results = super().search(query_string, start_offset=0, end_offset=end_offset, **kwargs)
            results["results"] = results["results"][start_offset:]
            return results
        return super().search(query_string, start_offset=start_offset, end_offset=end_offset, **kwargs)

    def create_spelling_suggestion(self, query_string):
        if not self.setup_complete:
            self.setup()
        words = query_string.split()
        if not words:
            return ""
        with self.index.searcher() as searcher:
            suggested = []
            for word in words:
                field = "text" if canonical(word) != folded(word) else "text_folded"
                form = query_words(word, fold_them=field == "text_folded")
                if len(form) != 1 or searcher.doc_frequency(field, form[0]) > 0:
                    suggested.append(word)
                    continue
                corrections = searcher.corrector(field).suggest(form[0], limit=1, maxdist=2)
                suggested.append(corrections[0] if corrections else word)
        suggestion = " ".join(suggested)
        return suggestion if suggestion != " ".join(words) else ""


class VietnameseWhooshEngine(BaseEngine):
    backend = VietnameseWhooshBackend
    query = WhooshSearchQuery
