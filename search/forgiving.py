"""A search that forgives what a journalist half remembers: a wrong word, a slip of a letter, a
name that stands whole nowhere.

find(engine, request, parsed, text, officials) -> Found. The search runs strictly first (every
word, as search.plan.compile_query puts it, with any person's name in the query ranking first
where it stands whole). It runs once more, relaxed (search.plan.compile_relaxed), when that finds
fewer than FEW articles, or, for MOST_WORDS_FROM to REMEMBERED free words, when its best match
does not hold them standing together (search.plan.whole): a remembered phrase with one word wrong
finds many articles holding its common words apart, and not the one it came from. Relaxed: of
MOST_WORDS_FROM or more free words all but one, and a word that no article holds (or very few,
beside a far commoner one) also as spelt one edit away (search.spelling). Ranked by how much of
the query an article holds: the query whole but for a slip of a letter (a word pyvi leaves on
its own spelt as one of its spelling.SLIPS commonest spellings one edit away, beyond the near
spellings searched for: "chị" for "chịu", "trt" for "trót"), all its words but one in their
order, each two standing together, each word there. The articles holding the query whole come
first; one that misses a word but holds the rest in order comes before one holding every word
apart (what a journalist remembering a phrase means).
Quoted phrases, +words, fields and NOT stay strict. At most two searches, whatever was typed.

names(parsed, officials) -> the query's person names: two to four neighbouring free words that
are an official's name however typed, or three or four capitalised ones starting with a common
surname.
"""

import re
from dataclasses import dataclass, field, replace

from search import spelling
from search.analysis import folded
from search.plan import (
    MOST_WORDS_FROM,
    AnyOf,
    Engine,
    Match,
    Phrase,
    SearchRequest,
    SearchResult,
    Term,
    compile_query,
    compile_relaxed,
    group_match,
    loose_items,
    whole,
    word_groups,
)
from search.syntax import Item, ParsedQuery

FEW = 20  # strict matches (a page) below which the search relaxes
NEAR_WORDS = 8  # words of a query whose near spellings are looked for, at most
REMEMBERED = 12  # free syllables a remembered phrase has at most: past that, only FEW decides to relax
# The commonest Vietnamese family names, folded: most people named in the news carry one of them.
SURNAMES = frozenset(
    {"nguyen", "tran", "le", "pham", "hoang", "huynh", "phan", "vu", "vo", "dang", "bui", "do", "ho", "ngo"}
    | {"duong", "ly", "dinh", "truong", "trinh", "lam", "mai", "luong", "ha", "cao", "chu", "thai", "to"}
    | {"quach", "luu", "kieu", "dao", "doan", "hua", "lai", "tong", "ton", "vuong", "trieu", "thach"}
)
Spellings = dict[str, tuple[str, ...]]  # folded word -> folded spellings of it
SPELT_NAME = (3, 4)  # syllables of a capitalised name (two-syllable ones are mostly places: "Hà Nội")


@dataclass
class Found:
    result: SearchResult  # what the page shows, the articles with every word first
    complete: int  # of them, those holding every word as typed
    relaxed: bool = False  # the search was run again, forgiving
    missing: list[list[str]] = field(default_factory=list)  # per result: the words (as typed) it lacks
    spelt: dict[str, list[str]] = field(default_factory=dict)  # word as typed -> the spellings also searched for
    suggestion: str = ""  # the query with its slips corrected, when that finds articles
    apart: list[str] = field(default_factory=list)  # names (as typed) standing whole in no match


def _word(item: Item) -> str | None:
    """The one syllable a loose item is, as typed, or None."""
    if len(item.alternatives) != 1 or not item.loose:
        return None
    words = item.alternatives[0].text.split()
    return words[0] if len(words) == 1 else None


def names(parsed: ParsedQuery, officials: frozenset[str]) -> list[tuple[str, ...]]:
    found: list[tuple[str, ...]] = []
    run: list[str] = []
    for item in [*parsed.items, None]:
        word = _word(item) if item is not None else None
        if word is not None:
            run.append(word)
            continue
        start = 0
        while start < len(run) - 1:
            for size in range(min(4, len(run) - start), 1, -1):
                words = run[start : start + size]
                capitalised = (
                    size in SPELT_NAME and all(w[:1].isupper() for w in words) and folded(words[0]) in SURNAMES
                )
                if capitalised or " ".join(folded(w) for w in words) in officials:
                    found.append(tuple(words))
                    start += size
                    break
            else:
                start += 1
        run = []
    return found


def _near(engine: Engine, loose: list[Item]) -> tuple[Spellings, Spellings, dict[str, str]]:
    """(folded word -> its near spellings, folded word -> the commonest spellings one edit away
    that the index holds, folded word -> the word as typed) for the loose words."""
    typed = {folded(w): w for w in filter(None, map(_word, loose))}
    words = [w for w in typed if spelling.eligible(w)][:NEAR_WORDS]
    if not words:
        return {}, {}, typed
    documents, known = engine.frequencies("text_folded", set(words) | spelling.candidates(words))
    near, edits = {}, {}
    for word in words:
        found = {e: known[e] for e in spelling.edits(word) if e in known}
        edits[word] = tuple(spelling.commonest(found))
        spellings = spelling.near(word, known.get(word, 0), found, documents)
        if spellings:
            near[word] = tuple(spellings)
    return near, edits, typed


def _label(group: tuple[Item, ...]) -> str:
    """A word of the query as typed (its syllables, or its alternatives)."""
    return " ".join(" OR ".join(c.text for c in item.alternatives) for item in group)


def _in_context(parsed: ParsedQuery, word: str, spelling: str) -> Match:
    """`spelling` standing where folded `word` stands in the query, beside a neighbour of it."""
    words = [folded(w) for c in parsed.free_clauses for w in c.words]
    beside = {(words[i - 1], spelling) for i, w in enumerate(words) if w == word and i > 0}
    beside |= {(spelling, words[i + 1]) for i, w in enumerate(words) if w == word and i + 1 < len(words)}
    pairs = tuple(Phrase("text_folded", pair) for pair in sorted(beside))
    return pairs[0] if len(pairs) == 1 else AnyOf(pairs) if pairs else Term("text_folded", spelling)


def _suggestion(
    text: str,
    near: dict[str, tuple[str, ...]],
    typed: dict[str, str],
    tallies: dict[tuple[str, str], tuple[int, int]],
) -> str:
    """`text` with each word that had near spellings replaced by the one most of the results hold
    beside a neighbour of the word in the query, or else hold at all. `tallies`: (word, spelling)
    -> (results holding the spelling beside a neighbour, results holding it anywhere)."""
    suggestion = text
    for word, spellings in near.items():
        best = max(spellings, key=lambda s: tallies[word, s])
        if tallies[word, best][1]:
            better = spelling.respell(typed[word], best)
            suggestion = re.sub(rf"(?<!\w){re.escape(typed[word])}(?!\w)", better, suggestion)
    return suggestion if suggestion != text else ""


def find(engine: Engine, request: SearchRequest, parsed: ParsedQuery, text: str, officials: frozenset[str]) -> Found:
    """See the module docstring; `request` carries the filters, sort and page, `text` is the query as typed."""
    people = names(parsed, officials)
    wholes = tuple(Phrase("text_folded", tuple(folded(w) for w in name)) for name in people)
    required, ranking = compile_query(parsed, tuple(people))
    loose = loose_items(parsed)
    phrase = whole(parsed) if MOST_WORDS_FROM <= len(loose) <= REMEMBERED else None
    # Asked from the first match whatever the page: whether it holds the words together decides for every page.
    first = replace(request, offset=0, limit=request.offset + request.limit) if phrase else request
    strict = engine.execute(
        replace(first, required=required, ranking=ranking, tally=wholes, report=(phrase,) if phrase else ())
    )
    held_together = not (phrase and strict.present) or strict.present[0][0]
    strict = replace(strict, ids=strict.ids[request.offset - first.offset :], present=[])
    apart = [" ".join(name) for name, n in zip(people, strict.tallies, strict=True) if not n and strict.count]
    found = Found(strict, strict.count, apart=apart)
    if not loose or (strict.count >= FEW and held_together):
        return found
    near, edits, typed = _near(engine, loose)
    if not near and len(loose) < MOST_WORDS_FROM:
        return found
    groups = word_groups(parsed)
    deep = not (strict.count and held_together)
    # A slip may make another word ("chịu" typed "chị"), or a rarer one than the near spellings
    # searched for: when nothing held the query whole, a word pyvi does not join with a neighbour
    # (one it joins is a word it knows) may be any spelling one edit away, where that makes the
    # query stand whole.
    alone = {folded(w) for g in groups if len(g) == 1 and (w := _word(g[0]))} if deep else set()
    meant = {w: tuple(s for s in spelt if s not in near.get(w, ())) for w, spelt in edits.items() if w in alone}
    required, ranking = compile_relaxed(parsed, near, tuple(people), meant)
    spellings = [(w, s) for w, spelt in near.items() for s in spelt]
    context = tuple(_in_context(parsed, w, s) for w, s in spellings)
    relaxed = engine.execute(
        replace(
            request,
            required=required,
            ranking=ranking,
            # Found whole, the query's articles come first anyway: the relaxed search only fills the page below.
            deep=deep,
            report=tuple(group_match(group, near) for group in groups),
            tally=tuple(Term("text_folded", s) for _w, s in spellings) + context,
        )
    )
    if relaxed.count <= strict.count:
        return found
    found.result, found.relaxed = relaxed, True
    found.missing = [[_label(g) for g, held in zip(groups, seen, strict=True) if not held] for seen in relaxed.present]
    found.spelt = {typed[w]: [spelling.respell(typed[w], s) for s in spelt] for w, spelt in near.items()}
    anywhere, beside = relaxed.tallies[: len(spellings)], relaxed.tallies[len(spellings) :]
    tallies = dict(zip(spellings, zip(beside, anywhere, strict=True), strict=True))
    found.suggestion = _suggestion(text, near, typed, tallies)
    return found
