"""Every use of Whoosh's and haystack's private internals, in this one module.

The archive's Whoosh engine is as fast as it is because it reads and writes Whoosh's
W3 format below the public API in four places; each is here, and nowhere else:

1. Writing segments (GroupingWriter, build_segments). Whoosh's SegmentWriter sends
   every posting through its pool as a tuple, sorts all of them when the segment is
   finished and feeds them one at a time through a chain of per-posting calls; on
   this archive's texts that was half of an index build (bigrams are two thirds of
   all postings). GroupingWriter has the archive's text fields gather their
   postings as arrays (fields.GramColumns, WordColumns), sorted once when the
   segment is written, groups any other field's per term as documents are added,
   and writes each term's posting blocks in one go, in the W3 codec's format
   (_TermWriter; a text field's terms as one TermTable, most terms' entries made in
   numpy or without Whoosh's objects): with COMPRESS_FROM = 0 and PACKED off the
   files are byte for byte the stock writer's (test_segments compares them). By
   default short blocks are stored uncompressed, which every W3 reader reads
   unchanged, and a block is packed (see PACKED). Blocks pickle references to this
   module's _unpack, _zvalues, _gaps and _zgaps: renaming or moving them leaves
   existing indexes unreadable until `manage.py reindex`. build_segments() runs such writers on several processes and commits
   their segments together (Whoosh's MpWriter hard-wires the stock writer).
2. Reading posting lists a block at a time (posting_blocks): Whoosh's matcher hands
   out one posting per Python call, most of a common term's query time.
3. Field lengths read once per segment (ArchiveCodec): the stock reader seeks and
   reads per posting, and stat()s the folder for a field without lengths.
4. haystack's value conversion (from_python), private to its Whoosh backend.

WHOOSH_VERSION and HAYSTACK_VERSION are the versions this was written against;
test_whoosh_internals fails with a clear message when the installed ones differ,
so an upgrade means reading this module again, not finding out from wrong results.
Nothing here imports Django.
"""

from __future__ import annotations

import multiprocessing
import queue
import traceback
import zlib
from array import array
from collections.abc import Iterable, Iterator
from itertools import accumulate, chain
from pickle import dumps
from struct import Struct

import numpy as np
from whoosh.codec.whoosh3 import (
    LENGTHS_COLUMN,
    WHOOSH3_HEADER_MAGIC,
    W3Codec,
    W3LeafMatcher,
    W3PerDocReader,
    W3TermInfo,
    _lenfield,
)
from whoosh.columns import NumericColumn
from whoosh.filedb.filestore import RamStorage
from whoosh.matching.wrappers import FilterMatcher
from whoosh.reading import TermNotFound
from whoosh.system import pack_int, pack_ushort
from whoosh.util.numeric import _length_byte_cache, byte_to_length, length_to_byte
from whoosh.writing import SegmentWriter

from .fields import TermPostings, TermTable

WHOOSH_VERSION = (2, 7, 4)
HAYSTACK_VERSION = (3, 4, 0)


def installed_versions() -> tuple[tuple[int, ...], tuple[int, ...]]:
    """(Whoosh's, haystack's) installed versions, as tuples of numbers."""
    from importlib.metadata import version

    return tuple(int(n) for n in version("whoosh").split(".")), tuple(
        int(n) for n in version("django-haystack").split(".")[:3]
    )


def from_python(backend, value):
    """haystack's conversion of an index value (dates, lists, booleans) for Whoosh."""
    return backend._from_python(value)


# --- 1. writing segments ----------------------------------------------------------

# What one writer holds before it writes a segment. Characters of all text fields
# count, so a speech's text counts twice (its words and its bigrams): 20 million is
# about 10 million characters of speeches (30 MB of Chinese text). Its postings are
# gathered as arrays (fields.GramColumns, WordColumns), and sorting them when the
# segment is written peaks at about 40 bytes a character: with the process itself,
# about a gigabyte per writer however large the archive grows. Fewer, larger
# segments write each term's entry and blocks once instead of once per segment: at
# 20,000 speeches, 4 segments instead of 8 made the index 22 % smaller.
CHARS_PER_SEGMENT = 20_000_000


class GroupingWriter(SegmentWriter):
    """A SegmentWriter that groups postings by term as documents are added.

    Only add_document and the segment flush differ from Whoosh's. Postings that
    Whoosh's own code puts in the pool (merging older segments in at commit,
    add_reader) are taken from the pool at flush, after this writer's own
    documents, whose numbers come first.
    """

    def __init__(self, ix, **kwargs):
        super().__init__(ix, **kwargs)
        # field name -> term bytes -> (docnums, weights, values): fields without columns
        self._grouped: dict[str, dict[bytes, tuple[list[int], list[float], list[bytes]]]] = {}
        # field name -> its columns (fields.GramColumns, fields.WordColumns)
        self._columns: dict[str, object] = {}

    def add_document(self, **fields):
        self._check_state()
        schema = self.schema
        docnum = self.docnum
        perdocwriter = self.perdocwriter
        docboost = self._doc_boost(fields)
        fieldnames = sorted(name for name in fields if not name.startswith("_"))
        self._check_fields(schema, fieldnames)

        perdocwriter.start_doc(docnum)
        for fieldname in fieldnames:
            value = fields.get(fieldname)
            if value is None:
                continue
            field = schema[fieldname]
            if field.vector or field.separate_spelling():
                raise ValueError(f"field {fieldname!r}: vectors and spelling are not written by GroupingWriter")
            length = 0
            if field.indexed:
                boost = self._field_boost(fields, fieldname, docboost)
                columns = getattr(field, "columns", None)
                if columns is not None:
                    # Our text fields gather their postings as arrays (fields.py).
                    gathered = self._columns.get(fieldname)
                    if gathered is None:
                        gathered = self._columns[fieldname] = columns()
                    counted = gathered.add(docnum, value, boost)
                    if field.scorable:
                        length = counted
                else:
                    length = self._group(fieldname, field, value, boost, docnum)
            stored = fields.get(f"_stored_{fieldname}", value)
            perdocwriter.add_field(fieldname, field, stored if field.stored else None, length)
            if field.column_type and stored is not None:
                perdocwriter.add_column_value(fieldname, field.column_type, field.to_column_value(stored))
        perdocwriter.finish_doc()
        self._added = True
        self.docnum += 1

    def _group(self, fieldname, field, value, boost, docnum) -> int:
        """Adds a field's postings from its index() tuples; returns its length."""
        terms = self._grouped.get(fieldname)
        if terms is None:
            terms = self._grouped[fieldname] = {}
        tbytes_list, freqs, weights, vbytes_list = _transposed(field.index(value))
        if boost != 1.0:
            weights = [weight * boost for weight in weights]
        for tbytes, weight, vbytes in zip(tbytes_list, weights, vbytes_list, strict=True):
            postings = terms.get(tbytes)
            if postings is None:
                terms[tbytes] = ([docnum], [weight], [vbytes])
            else:
                postings[0].append(docnum)
                postings[1].append(weight)
                postings[2].append(vbytes)
        return sum(freqs) if field.scorable else 0

    def _flush_segment(self):
        self.perdocwriter.close()
        pooled = iter(self.pool.iter_postings())
        first = next(pooled, None)
        if first is not None:
            # Postings of older segments merged in (Whoosh's pool, at a merging commit)
            # come after this writer's own: grouped per term as lists, the slow way.
            for fieldname in list(self._columns):
                terms = self._grouped.setdefault(fieldname, {})
                for term in self._columns.pop(fieldname).terms():
                    terms[term.term] = (term.ids, _weights(term), _values(term))
        for fieldname, tbytes, docnum, weight, vbytes in chain([first] if first else [], pooled):
            postings = self._grouped.setdefault(fieldname, {}).setdefault(tbytes, ([], [], []))
            if postings[0] and postings[0][-1] >= docnum:
                raise ValueError("postings from the pool must come after this writer's own documents")
            postings[0].append(docnum)
            postings[1].append(weight)
            postings[2].append(vbytes)
        lengths = self.per_document_reader() if self.codec.length_stats else None
        try:
            for fieldname in sorted({*self._grouped, *self._columns}):
                write = self._term_writer(fieldname, lengths)
                if fieldname in self._columns:
                    table = self._columns.pop(fieldname).table()
                    if table is not None:
                        write.table(table)
                else:
                    terms = self._grouped.pop(fieldname)
                    for tbytes in sorted(terms):
                        write(tbytes, *terms[tbytes])
                self.fieldwriter.finish_field()
        finally:
            if lengths is not None:
                lengths.close()
        self.fieldwriter.close()

    def _term_writer(self, fieldname, lengths) -> _TermWriter:
        field = self.schema[fieldname]
        fieldwriter = self.fieldwriter
        fieldwriter.start_field(fieldname, field)
        postwriter = fieldwriter._postwriter
        # Each posting's field length as the stock writer sees it: read back from the
        # per-document lengths it just wrote, which keep one byte per length.
        doclengths = None
        if field.scorable and lengths is not None:
            doclengths = [lengths.doc_field_length(docnum, fieldname, 0) or 0 for docnum in range(self.docnum)]
        return _TermWriter(fieldwriter, postwriter._blocklimit, postwriter._compression, field.format, doclengths)


def _weights(term) -> list[float]:
    return [1.0] * len(term.ids) if term.weights is None else term.weights


def _values(term) -> list[bytes]:
    return [term.blob[end - size : end] for end, size in zip(accumulate(term.sizes), term.sizes, strict=True)]


def _transposed(items) -> tuple[list, list, list, list]:
    columns = ([], [], [], [])
    for item in items:
        for column, part in zip(columns, item, strict=True):
            column.append(part)
    return columns


# Posting lists of at most this many postings are stored inside the term's entry of the
# terms table instead of as a block of the postings file: most terms of a segment (a
# rare bigram, a name) occur in one document, and a block each was most of a small
# segment's writing (bench/RESULTS.md, "search"). Whoosh 2.7.4 reads such entries, but
# its own writer never makes them (its inlining calls a method that does not exist),
# so with 0 the files are the stock writer's byte for byte (test_segments).
INLINE_UP_TO = 1
# Blocks whose pickled data is shorter than this are stored uncompressed. Most terms
# of a segment (rare words, rare bigrams) have one short block; zlib gains nothing
# on a few dozen bytes and its set-up was a twentieth of the build. Whoosh's reader
# reads the compression level from each block's header.
COMPRESS_FROM = 128


class _WriteBlock:
    """One block of a term's postings, with what W3TermInfo.add_block asks of it."""

    __slots__ = ("_ids", "_weights", "_maxweight", "_minlength", "_maxlength", "_ones")

    def __init__(self, ids, weights, doclengths):
        self._ids = ids
        self._ones = weights is None  # all 1.0
        if self._ones:
            self._weights = array("f", [1.0]) * len(ids)
            self._maxweight = 1.0
        else:
            self._weights = array("f", weights)
            # As W3PostingsWriter: the largest weight as given, not as stored (float32).
            self._maxweight = max(0, max(weights))
        if doclengths is None:
            self._minlength, self._maxlength = None, 0
        else:
            found = [doclengths[docnum] for docnum in ids]
            present = [length for length in found if length]
            self._minlength = min(present) if present else None
            self._maxlength = max(0, max(found))

    def __len__(self):
        return len(self._ids)

    def min_id(self):
        return self._ids[0]

    def max_id(self):
        return self._ids[-1]

    def min_length(self):
        return self._minlength

    def max_length(self):
        return self._maxlength

    def max_weight(self):
        return self._maxweight

    def mini_weights(self, packed: bool = False):
        """As W3PostingsWriter._mini_weights: None when all are 1.0, the one weight
        when all are equal, else all of them (packed: the float32 array itself)."""
        if self._ones:
            return None
        weights = self._weights
        first = weights[0]
        if first == 1.0 and all(w == 1.0 for w in weights):
            return None
        if all(w == first for w in weights):
            return first
        return weights if packed else tuple(weights)


class _TermWriter:
    """Writes a field's terms, one at a time (columns, __call__) or a TermTable at once
    (table): each term's postings in W3PostingsWriter's block format, block by block
    (W3PostingsWriter takes them one posting at a time), and its terms-table row."""

    def __init__(self, fieldwriter, blocklimit: int, compression: int, format_, doclengths):
        self.postfile = fieldwriter._postfile
        self.tindex = fieldwriter._tindex
        self.fieldid = pack_ushort(fieldwriter._fieldid)
        self.blocklimit = blocklimit
        self.compression = compression
        self.fixedsize = format_.fixed_value_size()
        self.doclengths = doclengths
        self._doclengths = None  # as an array, made when a table first needs it

    def __call__(self, tbytes: bytes, ids: list[int], weights: list[float], values: list[bytes]) -> None:
        """Writes one term's postings given as lists (fields without columns, and
        postings merged in from Whoosh's pool)."""
        self.tindex.add(self.fieldid + tbytes, self.entry(tbytes, ids, weights, values))

    def entry(self, tbytes: bytes, ids: list[int], weights: list[float], values: list[bytes]) -> bytes:
        """The term's entry of the terms table, its postings written first unless they
        fit in the entry."""
        if len(ids) <= INLINE_UP_TO:
            # In the terms table itself (W3TermInfo's inlined form, read by Whoosh as a
            # ListMatcher): no block header, no two pickles, no seek to read it back.
            terminfo = W3TermInfo()
            terminfo.add_block(_WriteBlock(ids, weights, self.doclengths))
            terminfo.set_inlined(ids, weights, values)
            return terminfo.to_bytes()
        # Postings merged from Whoosh's pool carry None for a field without values.
        values = [value or b"" for value in values]
        sizes = [len(value) for value in values]
        return self.blocks(TermPostings(tbytes, ids, list(_deltas(ids)), None, weights, b"".join(values), sizes))

    def columns(self, term: TermPostings) -> None:
        """Writes one term's postings (in blocks of `blocklimit`, in the W3 codec's
        format: test_segments compares the files with Whoosh's own writer's) and its
        entry of the terms table."""
        self.tindex.add(self.fieldid + term.term, self.blocks(term))

    def table(self, table: TermTable) -> None:
        """Writes every term of a field, in order, as columns() writes each. The
        entries of terms with one posting (most terms of a small segment: an upload's)
        are made in numpy, not one W3TermInfo each, and the terms table is written a
        chunk at a time: per-term Python calls were most of writing an upload's index."""
        counts = np.diff(np.r_[table.firsts, len(table.ids)])
        single = counts == 1 if INLINE_UP_TO >= 1 else np.zeros(len(counts), bool)
        # Terms of one block (most terms of an index) take a shorter way to the same bytes.
        fits = (counts > INLINE_UP_TO) & (counts <= self.blocklimit) if PACKED else np.zeros(len(counts), bool)
        others = table.postings(~single)
        ends = np.cumsum(table.sizes)
        for start in range(0, len(table.terms), TABLE_CHUNK):
            ones = single[start : start + TABLE_CHUNK]
            inline = iter(self._inline_entries(table, table.firsts[start : start + TABLE_CHUNK][ones], ends))
            entries = [
                next(inline) if one else self._one_block(next(others)) if fit else self.blocks(next(others))
                for one, fit in zip(ones.tolist(), fits[start : start + TABLE_CHUNK].tolist(), strict=True)
            ]
            _add_entries(
                self.tindex, [self.fieldid + term for term in table.terms[start : start + TABLE_CHUNK]], entries
            )

    def _inline_entries(self, table: TermTable, where: np.ndarray, ends: np.ndarray) -> list[bytes]:
        """entry() of each posting at `where` as its term's only one, made at once:
        W3TermInfo's header (its struct, as a numpy record) and its pickled postings."""
        ids = table.ids[where]
        weights = np.ones(len(where)) if table.weights is None else table.weights[where]
        header = np.zeros(len(where), _INLINE_HEADER)
        header["inlined"] = 1
        header["weight"] = header["maxweight"] = weights
        header["count"] = 1
        header["minid"] = header["maxid"] = ids
        if self.doclengths is not None:
            # A document's length as W3TermInfo keeps it (length_to_byte; 0 for none).
            if self._doclengths is None:
                self._doclengths = np.asarray(self.doclengths, np.int64)
            lengths = np.searchsorted(_LENGTH_BYTES, self._doclengths[ids])
            header["minlength"] = header["maxlength"] = np.minimum(lengths, 255)
        raw, size, data = header.tobytes(), _INLINE_HEADER.itemsize, table.data
        stops = ends[where].tolist()
        starts = (ends[where] - table.sizes[where]).tolist()
        return [
            raw[size * k : size * (k + 1)] + dumps(((number,), (weight,), (data[start:stop],)), 2)
            for k, (number, weight, start, stop) in enumerate(
                zip(ids.tolist(), weights.tolist(), starts, stops, strict=True)
            )
        ]

    def blocks(self, term: TermPostings) -> bytes:
        """Writes one term's postings in blocks; returns its entry of the terms table."""
        count = len(term.ids)
        if count <= INLINE_UP_TO:
            return self.entry(term.term, term.ids, _weights(term), _values(term))
        postfile, limit, sizes = self.postfile, self.blocklimit, term.sizes
        terminfo = W3TermInfo()
        ends = list(accumulate(sizes))
        startoffset = postfile.tell()
        postfile.write(WHOOSH3_HEADER_MAGIC)
        for start in range(0, count, limit):
            end = min(start + limit, count)
            ids = term.ids[start:end]
            block = _WriteBlock(ids, None if term.weights is None else term.weights[start:end], self.doclengths)
            terminfo.add_block(block)
            gaps = [ids[0], *term.gaps[start + 1 : end]]
            values = self._mini_blob(term.blob[ends[start] - sizes[start] : ends[end - 1]], sizes[start:end])
            if PACKED:
                data, apart = self._packed(block, gaps, values)
            else:
                data, apart = dumps((tuple(gaps), block.mini_weights(), values), 2), False
            postfile.write(self._block_bytes(block, data, end == count, compress=not apart))
        terminfo.set_extent(startoffset, postfile.tell() - startoffset)
        return terminfo.to_bytes()

    def _one_block(self, term: TermPostings) -> bytes:
        """blocks(term) for a term whose postings fit one packed block: the same bytes
        without a W3TermInfo, in one write."""
        ids, count = term.ids, len(term.ids)
        block = _WriteBlock(ids, term.weights, self.doclengths)
        data, apart = self._packed(block, term.gaps, self._mini_blob(term.blob, term.sizes))
        offset = self.postfile.tell()
        written = WHOOSH3_HEADER_MAGIC + self._block_bytes(block, data, True, compress=not apart)
        self.postfile.write(written)
        # As W3TermInfo.to_bytes: not inline, total weight, documents, lengths' bytes,
        # largest weight, first and last document, where the postings are and their size.
        shortest, longest = length_to_byte(block._minlength), length_to_byte(block._maxlength)
        weight = sum(block._weights)
        return _BLOCKS_ENTRY.pack(
            0, weight, count, shortest, longest, block._maxweight, ids[0], ids[-1], offset, len(written)
        )

    @staticmethod
    def _packed(block: _WriteBlock, gaps: list[int], values) -> tuple[bytes, bool]:
        """A packed block's pickled data (see PACKED), and whether its parts were
        compressed apart: a block of positions (a gram field's: all weights 1.0) is,
        so that reading its documents and lengths never inflates the positions
        (PackedValues.blob)."""
        weights = block.mini_weights(packed=True)
        apart = weights is None and isinstance(values, PackedValues) and len(values.blob) >= COMPRESS_FROM
        if apart:
            values.apart = True
        return dumps((PackedGaps.of(gaps, apart), weights, values), 5), apart

    def _block_bytes(self, block: _WriteBlock, data: bytes, last: bool, compress: bool = True) -> bytes:
        """A block as W3PostingsWriter writes it: its size (negative: the last block),
        its header (count, last document, largest weight, compression, shortest and
        longest length's bytes) and its data, compressed unless short or `compress` is off."""
        compression = self.compression if compress and len(data) >= COMPRESS_FROM else 0
        if compression:
            data = zlib.compress(data, compression)
        info = dumps(
            (
                len(block),
                block._ids[-1],
                block._maxweight,
                compression,
                length_to_byte(block._minlength),
                length_to_byte(block._maxlength),
            ),
            2,
        )
        size = len(info) + len(data)
        return pack_int(-size if last else size) + info + data

    def _mini_blob(self, blob: bytes, sizes: list[int]):
        """A block's values as Whoosh's writer minifies them (a PackedValues by
        default), from the values joined in `blob`, `sizes` bytes each."""
        if self.fixedsize is None or self.fixedsize < 0:
            sizes = [size for size in sizes if size]  # as W3PostingsWriter.add_posting: empty values not kept
            if PACKED:
                return PackedValues(blob, array("H" if max(sizes, default=0) < 65536 else "I", sizes))
            ends = accumulate(sizes)
            return tuple(blob[end - size : end] for end, size in zip(ends, sizes, strict=True))
        if self.fixedsize == 0:
            return None
        return blob


# Terms whose entries _TermWriter.table makes and writes at once: a bound on the lists
# of entries a segment of millions of terms holds.
TABLE_CHUNK = 1 << 16
# W3TermInfo's header (its struct "!BfIBBfII") as a numpy record.
_INLINE_HEADER = np.dtype(
    [
        ("inlined", "u1"),
        ("weight", ">f4"),
        ("count", ">u4"),
        ("minlength", "u1"),
        ("maxlength", "u1"),
        ("maxweight", ">f4"),
        ("minid", ">u4"),
        ("maxid", ">u4"),
    ]
)
_LENGTH_BYTES = np.asarray(_length_byte_cache)  # length_to_byte's table
_ENTRY_LENGTHS = Struct("!ii")  # before each key and value, as HashWriter.add
_BLOCKS_ENTRY = Struct("!BfIBBfIIqi")  # W3TermInfo's header, then its postings' offset and size


def _add_entries(tindex, keys: list[bytes], values: list[bytes]) -> None:
    """OrderedHashWriter.add(key, value) for each pair, in one write; the keys in
    increasing order, as a TermTable's terms are."""
    if not keys:
        return
    if keys[0] <= tindex.lastkey:
        raise ValueError(f"Keys must increase: {tindex.lastkey!r}..{keys[0]!r}")
    position = tindex.dbfile.tell()
    hashfn, buckets, index = tindex.hashfn, tindex.buckets, tindex.index
    parts = []
    for key, value in zip(keys, values, strict=True):
        index.append(position)
        hashed = hashfn(key)
        buckets[hashed & 255].append((hashed, position))
        parts += (_ENTRY_LENGTHS.pack(len(key), len(value)), key, value)
        position += 8 + len(key) + len(value)
    tindex.dbfile.write(b"".join(parts))
    tindex.lastkey = keys[-1]


# A block packed: its document numbers' gaps as a PackedGaps and its values as one
# PackedValues, instead of tuples of numbers and of bytes, its weights (when not all
# equal) as an array instead of a tuple, all pickled with protocol 5 instead of
# Whoosh's 2, which writes every bytes object as a str to encode again (unpickling a
# bigram's block: 32 µs against 3). Whoosh's own reader reads either form, as does
# ours. False writes Whoosh's own form, byte for byte (test_segments).
#
# A block of positions (a gram field's, over COMPRESS_FROM bytes) is not compressed as a
# whole: its gaps, its values' lengths and its values are each compressed apart, and the
# values (nine tenths of it) are inflated only when read. The documents holding a
# bigram and how often (a two-character term's set and counts) no longer inflate every
# position of it: zlib was a sixth of a search's time at 100,000 speeches.
PACKED = True
SQUEEZE_LEVEL = 3  # zlib's level, as the W3 codec's default for whole blocks


class PackedGaps(array):
    """A block's gaps between document numbers (the first: the number itself) as an
    array of the smallest unsigned type that holds them, pickled as its bytes.

    Whoosh pickles a tuple of numbers: unpickling made an int object per posting,
    and our reader then summed the gaps in Python and copied them into numpy, together
    a third of reading a common bigram's list. It unpickles as a plain array, which
    Whoosh's own reader sums as it sums its tuple (W3LeafMatcher._read_ids), and
    _ReadBlock.ids() in numpy. Indexes written before keep their tuples, which both read.
    """

    apart = False  # compressed on their own (a block of positions: see PACKED)

    @classmethod
    def of(cls, gaps: list[int], apart: bool = False) -> PackedGaps:
        top = max(gaps)
        packed = cls("B" if top < 1 << 8 else "H" if top < 1 << 16 else "I", gaps)
        packed.apart = apart
        return packed

    def __reduce_ex__(self, protocol):
        # Protocol 2 pickles an array as a list of numbers: the gaps go as bytes.
        if self.apart:
            return _zgaps, (self.typecode, zlib.compress(self.tobytes(), SQUEEZE_LEVEL))
        return _gaps, (self.typecode, self.tobytes())


def _gaps(typecode: str, raw: bytes) -> array:
    return array(typecode, raw)


def _zgaps(typecode: str, squeezed: bytes) -> array:
    return array(typecode, zlib.decompress(squeezed))


class PackedValues:
    """A block's values (encoded positions, frequencies) as one bytes object and an
    array of their lengths, in place of the tuple of bytes objects Whoosh pickles.

    Whoosh pickles blocks with protocol 2, where every bytes object is a call to
    _codecs.encode on a str: unpickling a block of 128 values made 128 calls and
    objects, most of a common term's reading time. Whoosh's own reader keeps the
    block's values as they unpickle and reads value i as values[i], which this
    answers; ours (packed_values) takes the bytes and lengths whole, without an
    object per posting. Indexes written before it keep their tuples, which both read.
    """

    __slots__ = ("_blob", "_squeezed", "lengths", "_offsets", "apart")

    def __init__(self, blob: bytes | None, lengths: array, squeezed: bytes | None = None, apart: bool = False):
        self._blob = blob
        self._squeezed = squeezed  # the values compressed, until first read
        self.lengths = lengths
        self._offsets: list[int] | None = None
        self.apart = apart  # to pickle with its parts compressed apart (see PACKED)

    @property
    def blob(self) -> bytes:
        if self._blob is None:
            self._blob = zlib.decompress(self._squeezed)
            self._squeezed = None
        return self._blob

    def __reduce__(self):
        # Protocol 2 pickles an array as a list of numbers: the lengths go as bytes.
        if self.apart:
            lengths = zlib.compress(self.lengths.tobytes(), SQUEEZE_LEVEL)
            return _zvalues, (zlib.compress(self.blob, SQUEEZE_LEVEL), self.lengths.typecode, lengths)
        return _unpack, (self.blob, self.lengths.typecode, self.lengths.tobytes())

    def __len__(self) -> int:
        return len(self.lengths)

    def __getitem__(self, index: int) -> bytes:
        if self._offsets is None:
            self._offsets = [0, *accumulate(self.lengths)]
        return self.blob[self._offsets[index] : self._offsets[index + 1]]

    def __iter__(self):
        return (self[index] for index in range(len(self)))


def _unpack(blob: bytes, typecode: str, lengths: bytes) -> PackedValues:
    return PackedValues(blob, array(typecode, lengths))


def _zvalues(squeezed: bytes, typecode: str, lengths: bytes) -> PackedValues:
    return PackedValues(None, array(typecode, zlib.decompress(lengths)), squeezed=squeezed)


def packed_values(values) -> PackedValues:
    """A block's values as a PackedValues, from either form (its .blob inflates them)."""
    if isinstance(values, PackedValues):
        return values
    return PackedValues(b"".join(values), array("I", map(len, values)))


def _deltas(ids: list[int]) -> tuple[int, ...]:
    return (ids[0], *(b - a for a, b in zip(ids, ids[1:], strict=False)))


# --- several processes ------------------------------------------------------------


def build_segments(index, batches: Iterable[list[dict]], procs: int, writer_options: dict) -> int:
    """Add every document of `batches` to `index` on `procs` processes and commit once.

    Each worker (forked, so it starts with this process's jieba and tables loaded)
    writes a segment each CHARS_PER_SEGMENT characters; this process reads the
    batches (from the database: workers never touch it), hands each to the least
    loaded worker, and at the end writes the table of contents naming every
    segment, under Whoosh's write lock, which it holds throughout. An error in any
    worker cancels the whole build and is raised here with the worker's traceback.
    Returns the number of documents added.
    """
    writer = GroupingWriter(index, **writer_options)
    try:
        if procs <= 1 or isinstance(index.storage, RamStorage):  # workers cannot share memory
            segments, added = _write_segments(index, iter(batches), writer_options)
        else:
            segments, added = _write_in_workers(index, batches, procs, writer_options)
    except BaseException:
        writer.cancel()
        raise
    writer._close_segment()
    writer._commit_toc(list(writer.segments) + segments)
    writer._finish()
    return added


def _write_segments(index, batches: Iterator[list[dict]], writer_options: dict) -> tuple[list, int]:
    """Write the documents of `batches` as segments of index; returns them, unlisted.

    On an error the writer is left as it is, not cancelled: cancelling would delete
    the temporary folder that every writer of this index shares (Whoosh names it
    after the index). build_segments cancels its own writer, which removes that
    folder, and the build is abandoned."""
    segments, added, writer, chars = [], 0, None, 0
    for batch in batches:
        for doc in batch:
            if writer is None:
                writer, chars = GroupingWriter(index, _lk=False, **writer_options), 0
            writer.add_document(**doc)
            added += 1
            chars += _chars(doc)
            if chars >= CHARS_PER_SEGMENT:
                segments.append(writer._finalize_segment())
                writer = None
    if writer is not None:
        segments.append(writer._finalize_segment())
    return segments, added


def _chars(doc: dict) -> int:
    return sum(len(value) for value in doc.values() if isinstance(value, str))


def _worker(index, writer_options, jobs, results) -> None:
    try:
        results.put(("done", _write_segments(index, iter(jobs.get, None), writer_options)))
    except BaseException:
        results.put(("error", traceback.format_exc()))


def _write_in_workers(index, batches: Iterable[list[dict]], procs: int, writer_options: dict) -> tuple[list, int]:
    context = multiprocessing.get_context("fork")
    results = context.Queue()
    # Small queues: this process waits rather than holding the archive in memory.
    queues = [context.Queue(maxsize=2) for _ in range(procs)]
    workers = [
        context.Process(target=_worker, args=(index, writer_options, jobs, results), daemon=True) for jobs in queues
    ]
    for worker in workers:
        worker.start()
    try:
        given = [0] * procs
        for batch in batches:
            # The worker given the fewest characters so far gets the next batch.
            target = given.index(min(given))
            _put(queues[target], batch, workers[target], results)
            given[target] += sum(_chars(doc) for doc in batch)
        for jobs, worker in zip(queues, workers, strict=True):
            _put(jobs, None, worker, results)
        segments, added = [], 0
        for _ in workers:
            kind, payload = _get(results, workers)
            if kind == "error":
                raise RuntimeError(f"an index worker failed:\n{payload}")
            segments += payload[0]
            added += payload[1]
        return segments, added
    finally:
        for worker in workers:
            if worker.is_alive():
                worker.terminate()
            worker.join()


def _put(jobs, item, worker, results) -> None:
    """Queue work for a worker, noticing (instead of waiting forever) when it has died."""
    while True:
        try:
            jobs.put(item, timeout=1)
            return
        except queue.Full:
            if not worker.is_alive():
                errors = []
                while not results.empty():
                    kind, payload = results.get()
                    if kind == "error":
                        errors.append(payload)
                raise RuntimeError("an index worker failed:\n" + ("\n".join(errors) or "it exited early")) from None


def _get(results, workers) -> tuple[str, object]:
    while True:
        try:
            return results.get(timeout=1)
        except queue.Empty:
            if not any(worker.is_alive() for worker in workers):
                # One last look: a worker may have put its result just before exiting.
                try:
                    return results.get(timeout=1)
                except queue.Empty:
                    return "error", "a worker exited without a result (killed, or out of memory?)"


# --- 2. reading posting lists a block at a time -----------------------------------


class _ReadBlock:
    """One block (up to BLOCK_LIMIT postings) of a posting list, decoded only on demand."""

    def __init__(self, matcher):
        self.matcher = matcher
        self._ids = None

    def last_id(self) -> int:
        """The block's last document number, from its header (its data stay unread)."""
        return self.matcher._maxid

    def ids(self):
        """The block's document numbers (as a numpy array when written packed).

        W3LeafMatcher._read_ids, with the running sum of the gaps done in numpy (or,
        for a block written before PackedGaps, in C by accumulate) instead of a Python
        generator. The matcher's own _ids stay Whoosh's business."""
        if self._ids is None:
            matcher = self.matcher
            if matcher._data is None:
                matcher._read_data()
            ids = matcher._data[0]
            if matcher._byteids:
                self._ids = ids
            elif isinstance(ids, array):
                self._ids = np.cumsum(np.frombuffer(ids, ids.typecode), dtype=np.int64)
            else:
                self._ids = tuple(accumulate(ids))
        return self._ids

    def values(self):
        self.matcher._read_values()
        return self.matcher._values

    def weights(self):
        self.matcher._read_weights()
        return self.matcher._weights


class _WholeList:
    """A short posting list (inlined in the term index) as a single block."""

    def __init__(self, matcher):
        self._ids, self._values, self._weights = [], [], []
        while matcher.is_active():
            self._ids.append(matcher.id())
            self._values.append(matcher.value())
            self._weights.append(matcher.weight())
            matcher.next()

    def last_id(self) -> int:
        return self._ids[-1] if self._ids else -1

    def ids(self):
        return self._ids

    def values(self):
        return self._values

    def weights(self):
        return self._weights


def segment_postings(searcher, fieldname: str, text: str):
    """Per segment holding the term: (segment number, its first document number,
    its reader, the term's raw posting list there). Raw: deleted documents are
    still in it (Whoosh's FilterMatcher hides them one call per posting), so the
    caller keeps only the documents it wants."""
    for number, (leaf, base) in enumerate(searcher.leaf_searchers()):
        reader = leaf.reader()
        try:
            matcher = reader.postings(fieldname, text)
        except TermNotFound:
            continue
        if isinstance(matcher, FilterMatcher):
            matcher = matcher.child
        yield number, base, reader, matcher


def posting_blocks(matcher):
    """A posting list a block at a time.

    Whoosh's matcher interface hands out one posting per Python call; for the
    posting lists of common words (thousands of documents) that was most of a
    query's time. Whoosh 2.7's own W3LeafMatcher is read here through its block
    methods; any other matcher (short lists inlined in the term index) is one block.
    A block's data are read only when asked for: its last document number comes from
    its header, so a caller that wants a few documents skips the blocks without them.
    """
    if not isinstance(matcher, W3LeafMatcher):
        yield _WholeList(matcher)
        return
    while matcher.is_active():
        yield _ReadBlock(matcher)
        matcher._next_block()


def numeric_column(searcher, fieldname: str) -> np.ndarray:
    """An integer NUMERIC sortable field's values (up to 32 bits) for every document
    number, as its column reader gives them (the field's default where a document has
    none), read per segment as one array: Whoosh's reader unpacks and translates a
    number per Python call, about 200 ms a column at 100,000 speeches, paid by the
    first search of every web worker after every change to the index."""
    field = searcher.schema[fieldname]
    parts = []
    for leaf, _ in searcher.leaf_searchers():
        reader = leaf.reader()
        size = reader.doc_count_all()
        column = reader.column_reader(fieldname, translate=False)
        if isinstance(column, NumericColumn.Reader) and field.numtype is int and field.bits <= 32:
            count = min(column._count, size)
            raw = column._dbfile.get(column._basepos, count * column._fixedlen)
            values = np.full(size, column._default, np.int64)
            values[:count] = np.frombuffer(raw, np.dtype(column._typecode).newbyteorder(">"))
            if field.signed:  # whoosh.util.numeric.from_sortable
                values -= 1 << (field.bits - 1)
        else:  # a segment without the column, or another kind of column
            translated = reader.column_reader(fieldname)
            values = np.fromiter(translated, np.int64, size)
        parts.append(values)
    return np.concatenate(parts) if parts else np.zeros(0, np.int64)


# --- 3. field lengths read once per segment ---------------------------------------


class _Lengths(W3PerDocReader):
    """Whoosh's per-document reader with each field's length column read once.

    Whoosh asks for the field length of every posting it writes (and of every hit
    it scores). The stock reader answers each call with a seek and read in the
    column file, and for a field without lengths (the gram field) with a stat()
    that it never caches: together a third of the index build. Same answers.
    """

    def __init__(self, storage, segment):
        super().__init__(storage, segment)
        self._lengths: dict[str, list[int] | None] = {}

    def doc_field_length(self, docnum, fieldname, default=0):
        if docnum > self._doccount:
            raise IndexError(f"Asked for docnum {docnum!r} of {self._doccount}")
        lengths = self._lengths.get(fieldname, False)
        if lengths is False:
            reader = self._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
            lengths = None if reader is None else list(reader)
            self._lengths[fieldname] = lengths
        if lengths is None:
            return default
        lbyte = lengths[docnum]
        # As the stock reader: a zero length byte reads as None, not the default.
        return byte_to_length(lbyte) if lbyte else None


# Postings per block (Whoosh's default: 128). The gram field's blocks hold 2-byte
# positions that zlib hardly shrinks, so a block's fixed costs (its header, two
# pickles, zlib's start) weigh: 512 made an index of 3,000 speeches 9 % smaller
# (1,024: 10 %). Queries read whole posting lists, a block per Python step.
BLOCK_LIMIT = 512


class ArchiveCodec(W3Codec):
    """Whoosh's default codec with the caching lengths reader above and blocks of
    BLOCK_LIMIT postings. Segments written with it name this class in the index's
    table of contents."""

    def __init__(self, blocklimit: int = BLOCK_LIMIT, compression: int = 3, inlinelimit: int = 1):
        super().__init__(blocklimit=blocklimit, compression=compression, inlinelimit=inlinelimit)

    def per_document_reader(self, storage, segment):
        return _Lengths(storage, segment)
