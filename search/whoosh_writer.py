"""Whoosh segments written fast, for a rebuild: the same files Whoosh's own SegmentWriter writes
for the same documents in the same order, in about a third of the time.

Whoosh's writer sends every posting through Python one at a time, several times over: a tuple
into an external sort pool (spilled to temporary run files), a merge of those runs, then a field
length lookup and a buffered add per posting. Here the postings of a segment are gathered per
term in memory, in document order (documents are added in order, so nothing needs sorting but
the terms), and written a block at a time through Whoosh's own block and term encoders; the
analysed text fields skip Whoosh's token objects (search.analysis.term_positions).

The blocks are Whoosh's, pickled with the current protocol (CompactCodec): Whoosh's own writer
pickles with protocol 2, which spells each posting's positions as a call to _codecs.encode,
and whole-number weights as floats; this halves the index, and any Whoosh reader reads both.

SegmentBuilder(index) -> add(fields) for each document (the fields of writer.add_document),
then finish() -> the finished whoosh Segment, for commit_segments(index, segments) to publish
(several builders in separate processes write one segment each; their documents come in the
order of the segments given). SegmentBuilder(index, lock=True) is also a whole writer: its
commit() merges small segments into the new one as Whoosh's does (the index worker).
"""

import pickle
import zlib
from array import array

from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC, W3Codec, W3PostingsWriter, length_to_byte
from whoosh.formats import Positions
from whoosh.writing import SegmentWriter

from search.analysis import VietnameseAnalyzer, canonical, term_positions

PROTOCOL = 5  # for a block's postings (its small header stays at Whoosh's 2: it is read from a stream)


class _CompactPostings(W3PostingsWriter):
    """Whoosh's postings writer, its blocks written the same way but pickled with PROTOCOL, and
    weights that are all whole numbers (term frequencies) as integers."""

    def _write_block(self, last=False):
        if not self._blockcount:
            self._postfile.write(WHOOSH3_HEADER_MAGIC)
        self._terminfo.add_block(self)
        weights = self._mini_weights()
        if isinstance(weights, tuple) and all(w.is_integer() for w in weights):
            weights = tuple(int(w) for w in weights)
        data = pickle.dumps((self._mini_ids(), weights, self._mini_values()), PROTOCOL)
        if self._compression:
            data = zlib.compress(data, self._compression)
        header = (
            len(self._ids),
            self._ids[-1],
            self._maxweight,
            self._compression,
            length_to_byte(self._minlength),
            length_to_byte(self._maxlength),
        )
        info = pickle.dumps(header, 2)
        self._postfile.write_int(-(len(info) + len(data)) if last else len(info) + len(data))
        self._postfile.write(info)
        self._postfile.write(data)
        self._blockcount += 1
        self._new_block()


class CompactCodec(W3Codec):
    """Whoosh's codec (its files, its readers) whose postings blocks _CompactPostings writes."""

    def new_segment(self, storage, indexname):
        """A segment of Whoosh's own codec, which reads it the same: the index names no class of
        this module, and opens without it."""
        return W3Codec(self._blocklimit, self._compression, self._inlinelimit).new_segment(storage, indexname)

    def postings_writer(self, dbfile, byteids=False):
        return _CompactPostings(
            dbfile,
            blocklimit=self._blocklimit,
            byteids=byteids,
            compression=self._compression,
            inlinelimit=self._inlinelimit,
        )


class _Gathered:
    """Stands in for the sorting pool SegmentWriter fills: postings a merge of small segments
    adds (reader by reader, so in document order for each term) join the builder's."""

    fieldnames = ()

    def __init__(self, builder):
        self.builder = builder

    def add(self, item):
        fieldname, tbytes, docnum, weight, vbytes = item
        self.builder._post(fieldname, docnum, [(tbytes, weight, vbytes)])

    def cleanup(self):
        pass


class SegmentBuilder(SegmentWriter):
    """A SegmentWriter (its per-document writer, field writer and segment assembly are Whoosh's)
    whose postings go straight to its field writer when the segment is finished."""

    def __init__(self, index, lock=False, timeout=0.0):
        """lock=False: another writer (a rebuild's parent) holds the index's lock."""
        super().__init__(index, _lk=lock, timeout=timeout, codec=CompactCodec())
        self.pool = _Gathered(self)
        self._postings: dict[str, dict[bytes, list]] = {}  # field -> term -> [docs, weights, values]
        self._fast = {
            name: field.analyzer.folded
            for name, field in self.schema.items()
            if isinstance(field.analyzer, VietnameseAnalyzer) and type(field.format) is Positions
        }

    def _post(self, fieldname, docnum, items):
        terms = self._postings.setdefault(fieldname, {})
        for tbytes, weight, vbytes in items:
            found = terms.get(tbytes)
            if found is None:
                terms[tbytes] = found = [array("I"), array("f"), []]
            found[0].append(docnum)
            found[1].append(weight)
            if vbytes:
                found[2].append(vbytes)

    def add(self, fields: dict) -> None:
        """One document, as SegmentWriter.add_document(**fields) adds it (no boosts, vectors or
        spelling fields: the schema has none)."""
        perdoc, docnum = self.perdocwriter, self.docnum
        perdoc.start_doc(docnum)
        forms = {}  # a text given to several fields (exact and folded) is made canonical once
        for fieldname in sorted(name for name in fields if not name.startswith("_")):
            value = fields[fieldname]
            if value is None:
                continue
            field = self.schema[fieldname]
            length = 0
            if field.indexed:
                if fieldname in self._fast:
                    if value not in forms:
                        forms[value] = canonical(value)
                    terms = term_positions(forms[value], fold_them=self._fast[fieldname])
                    encode, boost = field.format.encode, field.format.field_boost
                    items = [(t.encode("utf-8"), len(p) * boost, encode(p)) for t, p in terms.items()]
                    length = sum(len(p) for p in terms.values())
                else:
                    items = []
                    for tbytes, freq, weight, vbytes in field.index(value):
                        items.append((tbytes, weight, vbytes))
                        length += freq
                if not field.scorable:
                    length = 0
                if items:  # a field with no terms at all is not in Whoosh's field map either
                    self._post(fieldname, docnum, items)
            perdoc.add_field(fieldname, field, value if field.stored else None, length)
            if field.column_type:
                perdoc.add_column_value(fieldname, field.column_type, field.to_column_value(value))
        perdoc.finish_doc()
        self._added = True
        self.docnum += 1

    def _flush_segment(self):
        """Write the gathered postings, field by field and term by term in Whoosh's order, a block
        at a time through the field writer's own postings writer (its encoding, its statistics)."""
        self.perdocwriter.close()
        lengths_of = self.per_document_reader()  # the lengths as the segment keeps them (one byte each)
        writer, limit = self.fieldwriter, self.codec._blocklimit
        for fieldname in sorted(self._postings):
            field, terms = self.schema[fieldname], self._postings.pop(fieldname)
            lengths = [lengths_of.doc_field_length(d, fieldname) for d in range(self.docnum)]
            writer.start_field(fieldname, field)
            for tbytes in sorted(terms):
                docs, weights, values = terms.pop(tbytes)
                writer.start_term(tbytes)
                block = writer._postwriter
                for start in range(0, len(docs), limit):
                    if start:
                        block._write_block()
                    block._ids = docs[start : start + limit]
                    block._weights = weights[start : start + limit]
                    block._values = values[start : start + limit]
                    block._maxweight = max(0, max(block._weights))
                    held = [n for n in (lengths[d] for d in block._ids) if n]
                    block._minlength = min(held) if held else None
                    block._maxlength = max(held) if held else 0
                writer.finish_term()
            writer.finish_field()
        self.fieldwriter.close()
        lengths_of.close()

    def finish(self):
        """Close the segment and return it (SegmentWriter's own finishing, without a commit)."""
        return self._finalize_segment()


def commit_segments(index, segments) -> None:
    """Publish `segments` (written by SegmentBuilders into `index`) as the index's contents."""
    writer = index.writer()
    try:
        writer._close_segment()  # its own (empty) segment: its files go with the commit's clean-up
        writer._commit_toc(list(segments))
    finally:
        writer._finish()
