"""search.whoosh_writer writes what Whoosh's own writer writes: the same segment files for the
same documents but for the postings, which Whoosh reads back the same from fewer bytes; the same
index after commits that merge small segments; term_positions is the analyzer's output; a
rebuild on several processes gives the index of one."""

import random

import pytest
from haystack import connections
from whoosh.analysis import Token
from whoosh.codec.whoosh3 import W3Codec
from whoosh.filedb.filestore import FileStorage, RamStorage

from archive.models import Article
from search import whoosh_writer
from search.analysis import VietnameseAnalyzer, canonical, term_positions
from search.search_indexes import ArticleIndex

TEXTS = [
    "Xây_dựng Đảng bộ tỉnh Bến_Tre trong sạch , vững_mạnh",
    "Ðảng ủy xã Hoà_Bình ; thuý  hoà (2020-2025) www.example.vn 200ha",
    "nhân_dân   nhân dân\nNhân_Dân, NHÂN DÂN",
    "",
]


@pytest.mark.parametrize("fold_them", [False, True])
@pytest.mark.parametrize("text", TEXTS)
def test_term_positions_are_what_the_analyzer_yields(text, fold_them):
    expected: dict[str, list[int]] = {}
    for token in VietnameseAnalyzer(folded=fold_them)(text, positions=True, mode="index"):
        assert isinstance(token, Token)
        expected.setdefault(token.text, []).append(token.pos)
    assert term_positions(canonical(text), fold_them) == expected


def _schema_and_documents():
    backend = connections["default"].get_backend()
    backend.setup()
    index = ArticleIndex()
    return backend, index, [backend.document(index, a) for a in index.index_queryset().order_by("pk")]


def _contents(ix):
    """Everything a search can read, document by document in index order."""
    with ix.searcher() as searcher:
        reader = searcher.reader()
        postings = {}
        for field, text in reader.all_terms():
            matcher = reader.postings(field, text)
            found = []
            while matcher.is_active():
                found.append((matcher.id(), matcher.weight(), matcher.value()))
                matcher.next()
            postings[field, text] = found
        lengths = {
            field: [reader.doc_field_length(n, field) for n in range(reader.doc_count_all())]
            for field in ("text", "text_folded", "title", "title_folded", "author")
        }
        return list(reader.all_stored_fields()), postings, lengths, searcher.doc_count()


def test_a_segment_is_whooshs_with_smaller_postings(seed_articles, whoosh_index):
    backend, _index, documents = _schema_and_documents()
    theirs, ours = RamStorage().create_index(backend.schema), RamStorage().create_index(backend.schema)
    writer = theirs.writer()
    for document in documents:
        writer.add_document(**document)
    writer.commit()
    builder = whoosh_writer.SegmentBuilder(ours)
    for document in documents:
        builder.add(document)
    whoosh_writer.commit_segments(ours, [builder.finish()])

    def files(ix):
        segment = ix._segments()[0]
        compound = segment.open_compound_file(ix.storage)
        return {name.split(".", 1)[1]: compound.open_file(name).read() for name in compound.list()}

    ours_files, their_files = files(ours), files(theirs)
    postings = ("pst", "trm")  # the postings, and the terms' pointers into them
    assert {k: v for k, v in ours_files.items() if k not in postings} == {
        k: v for k, v in their_files.items() if k not in postings
    }
    assert len(ours_files) > 5 and ours_files.keys() == their_files.keys()
    assert _contents(ours) == _contents(theirs)
    assert len(ours_files["pst"]) < 0.7 * len(their_files["pst"])


def test_commits_that_merge_small_segments_give_whooshs_index(seed_articles, whoosh_index):
    backend, _index, documents = _schema_and_documents()
    theirs, ours = RamStorage().create_index(backend.schema), RamStorage().create_index(backend.schema)
    rng = random.Random(11)
    for _ in range(9):  # more than MERGE_SMALL lets stand, some documents written again
        batch = rng.sample(documents, 2)
        writer = theirs.writer()
        for document in batch:
            writer.update_document(**document)
        writer.commit()
        builder = whoosh_writer.SegmentBuilder(ours, lock=True)
        with builder.searcher() as searcher:
            for document in batch:
                builder.delete_by_term("id", document["id"], searcher=searcher)
                builder.add(document)
        builder.commit()
    assert len(ours._segments()) < 9  # merged
    assert _contents(ours) == _contents(theirs)


@pytest.mark.django_db(transaction=True)  # the processes read the articles on connections of their own
def test_a_rebuild_on_two_processes_is_the_rebuild_on_one(gazetteer, seed_articles, whoosh_index):
    backend, index, _documents = _schema_and_documents()
    backend.rebuild(index, workers=1)
    backend.setup()
    one = _contents(backend.index)
    ids = sorted(Article.objects.values_list("pk", flat=True))
    # Two runs of ids in two forked processes, as a large archive gets.
    runs = [[(ids[0], ids[1], 2)], [(ids[2], ids[2], 1), (ids[3], ids[-1], len(ids) - 3)]]
    building = whoosh_index.parent / "two"
    building.mkdir()
    new_index = FileStorage(str(building)).create().create_index(backend.schema)
    segments = backend._build_in_processes(index, str(building), runs, None, 0.0)
    whoosh_writer.commit_segments(new_index, segments)
    assert len(segments) == 3
    assert _contents(new_index) == one


def test_the_index_names_whooshs_own_codec(seed_articles, whoosh_index):
    """Code without search.whoosh_writer (an older version, Whoosh alone) opens the index."""
    backend, _index, documents = _schema_and_documents()
    ix = RamStorage().create_index(backend.schema)
    builder = whoosh_writer.SegmentBuilder(ix, lock=True)
    for document in documents:
        builder.add(document)
    builder.commit()
    assert [type(s.codec()) for s in ix._segments()] == [W3Codec]
