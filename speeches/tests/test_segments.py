"""The index's own segment writer (speeches.search.whoosh.internals) against Whoosh's stock one.

GroupingWriter must write what Whoosh's SegmentWriter writes, byte for byte, so that
every reader of the index reads it unchanged; WordField must index what TEXT with our
analyzer indexes; build_segments on several processes must index what one process does.
The texts are lines of the seed pages, so terms are real words and the common ones run
over several posting blocks.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from whoosh.fields import ID, KEYWORD, NUMERIC, TEXT, Schema
from whoosh.filedb.filestore import FileStorage, RamStorage
from whoosh.writing import SegmentWriter

from speeches.ingest.decode import decode_bytes
from speeches.search.whoosh import internals as segments
from speeches.search.whoosh.fields import ChineseAnalyzer, GramField, WordField
from speeches.search.whoosh.internals import ArchiveCodec

SEEDS = Path(__file__).resolve().parents[2] / "corpus" / "seeds"


@pytest.fixture(scope="module")
def seed_lines() -> list[str]:
    lines = []
    for path in sorted(SEEDS.glob("*.txt")):
        lines += [line for line in decode_bytes(path.read_bytes()).text.splitlines() if len(line) >= 20]
    return lines


def schema(words_field) -> Schema:
    return Schema(
        id=ID(stored=True),
        kind=ID(stored=True),
        topics=KEYWORD(stored=True, commas=True, scorable=False),
        year=NUMERIC(numtype=int, stored=True, sortable=True),
        title=words_field(stored=True, field_boost=2.0),  # as the archive's title
        text=words_field(stored=False),
        grams=GramField(),
    )


def stock_words(stored: bool, field_boost: float = 1.0) -> TEXT:
    return TEXT(analyzer=ChineseAnalyzer(), phrase=False, stored=stored, field_boost=field_boost)


def docs(lines: list[str], count: int, offset: int = 0) -> list[dict]:
    out = []
    for number in range(offset, offset + count):
        text = "\n".join(lines[(number * 3 + k) % len(lines)] for k in range(3))
        out.append(
            {
                "id": f"speech.{number}",
                "kind": "even" if number % 2 == 0 else "odd",
                "topics": "economy,education" if number % 3 else "health",
                "year": 1990 + number % 30,
                "title": lines[number % len(lines)][:20],
                "text": text,
                "grams": text,
            }
        )
    return out


def segment_files(folder: Path) -> dict[str, bytes]:
    """Each segment file's bytes by its extension (segment names are random)."""
    files = [path for path in folder.iterdir() if not path.name.endswith((".toc", "LOCK"))]
    by_extension = {path.name.split(".", 1)[1]: path.read_bytes() for path in files}
    assert len(by_extension) == len(files), "expected one segment"
    return by_extension


def postings_by_id(index) -> dict[tuple[str, bytes], list[tuple[str, float, bytes]]]:
    """Every live posting, named by the document's stored id instead of its number."""
    out = {}
    with index.reader() as reader:
        for fieldname, term in reader.all_terms():
            if fieldname in ("id", "kind", "year"):
                continue
            matcher = reader.postings(fieldname, term)
            found = []
            while matcher.is_active():
                if not reader.is_deleted(matcher.id()):
                    found.append((reader.stored_fields(matcher.id())["id"], matcher.weight(), matcher.value()))
                matcher.next()
            if found:
                out[(fieldname, term)] = sorted(found)
    return out


# Whoosh's own writer, with the stock word field, and ours: each test compares what they write.
WRITERS = (("stock", SegmentWriter, stock_words), ("grouping", segments.GroupingWriter, WordField))


def written_by_each(commits) -> dict[str, object]:
    """A RAM index per writer of WRITERS, after `commits(index, writer_class)`."""
    indexes = {}
    for name, writer_class, words_field in WRITERS:
        index = RamStorage().create_index(schema(words_field))
        commits(index, writer_class)
        indexes[name] = index
    return indexes


def test_the_grouping_writer_writes_the_same_bytes_as_whooshs_writer(tmp_path, seed_lines, monkeypatch):
    # Whoosh compresses every block; ours leaves short ones as they are (the other tests
    # read those back). Compressing all, the files must be the stock writer's exactly.
    monkeypatch.setattr(segments, "COMPRESS_FROM", 0)
    monkeypatch.setattr(segments, "INLINE_UP_TO", 0)
    monkeypatch.setattr(segments, "PACKED", False)
    written = {}
    for name, writer_class, words_field in WRITERS:
        folder = tmp_path / name
        folder.mkdir()
        index = FileStorage(str(folder)).create_index(schema(words_field))
        # Blocks of 64 postings: the common terms of 400 documents run over several.
        writer = writer_class(index, compound=False, codec=ArchiveCodec(blocklimit=64))
        for doc in docs(seed_lines, 400):
            writer.add_document(**doc)
        writer.commit()
        written[name] = segment_files(folder)
    assert set(written["grouping"]) == set(written["stock"])
    for extension, data in written["stock"].items():
        assert written["grouping"][extension] == data, extension
    with FileStorage(str(tmp_path / "grouping")).open_index().reader() as reader:
        assert reader.doc_frequency("grams", "的".encode() + "发".encode()) > 0
        assert max(reader.doc_frequency("text", word) for word in ("发展".encode(), "工作".encode())) > 2 * 64


@pytest.mark.parametrize("boosted", [False, True])
def test_a_fields_terms_written_at_once_are_the_bytes_of_its_terms_written_one_by_one(
    tmp_path, seed_lines, monkeypatch, boosted
):
    # _TermWriter.table makes the entries of terms with one posting in numpy, writes
    # terms of one plain block the short way (_one_block) and the terms table a chunk
    # at a time; columns() writes a term at a time through Whoosh's W3TermInfo and
    # HashWriter. Default settings (terms inline, blocks packed), chunks of 7 terms;
    # boosted, some documents have weights other than 1.0 in both fields.
    monkeypatch.setattr(segments, "TABLE_CHUNK", 7)

    def one_by_one(self, table):
        for term in table.postings():
            self.columns(term)

    written = {}
    for name in ("at once", "one by one"):
        if name == "one by one":
            monkeypatch.setattr(segments._TermWriter, "table", one_by_one)
        folder = tmp_path / name.replace(" ", "_")
        folder.mkdir()
        index = FileStorage(str(folder)).create_index(schema(WordField))
        writer = segments.GroupingWriter(index, compound=False, codec=ArchiveCodec(blocklimit=64))
        for number, doc in enumerate(docs(seed_lines, 150)):
            writer.add_document(**doc, **({"_boost": 1.5} if boosted and number % 7 == 0 else {}))
        writer.commit()
        written[name] = segment_files(folder)
    assert set(written["at once"]) == set(written["one by one"])
    for extension, data in written["one by one"].items():
        assert written["at once"][extension] == data, extension
    with FileStorage(str(tmp_path / "at_once")).open_index().reader() as reader:
        frequencies = [reader.doc_frequency(field, term) for field, term in reader.all_terms() if field == "grams"]
        assert frequencies.count(1) > 1000 and max(frequencies) > 64


def test_updates_deletions_and_merges_index_what_whooshs_writer_does(seed_lines, tmp_path, monkeypatch):
    # A RamStorage index pools in <temp dir>/MAIN.tmp: a folder of this test's own, not
    # one every test run on the machine shares.
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))

    def commits(index, writer_class):
        for round_ in range(3):
            writer = writer_class(index, codec=ArchiveCodec())
            writer.delete_by_term("kind", "odd")
            for doc in docs(seed_lines, 60, offset=round_ * 40):
                writer.update_document(**doc)
            # merge=True: older small segments are merged in through Whoosh's pool.
            writer.commit(merge=True)

    indexes = written_by_each(commits)
    assert indexes["grouping"].doc_count() == indexes["stock"].doc_count() > 0
    assert postings_by_id(indexes["grouping"]) == postings_by_id(indexes["stock"])


def test_several_processes_index_what_one_process_indexes_in_several_segments(tmp_path, seed_lines, monkeypatch):
    monkeypatch.setattr(segments, "CHARS_PER_SEGMENT", 60_000)
    batches = [docs(seed_lines, 40, offset=start) for start in range(0, 200, 40)]
    built = {}
    for procs in (1, 2):
        folder = tmp_path / str(procs)
        folder.mkdir()
        index = FileStorage(str(folder)).create_index(schema(WordField))
        added = segments.build_segments(index, iter(batches), procs, {"compound": False, "codec": ArchiveCodec()})
        assert added == 200
        built[procs] = index.refresh()
    assert len(built[2]._segments()) >= 4
    assert built[1].doc_count() == built[2].doc_count() == 200
    assert postings_by_id(built[2]) == postings_by_id(built[1])


def test_a_worker_that_fails_fails_the_build_and_commits_nothing(tmp_path, seed_lines):
    index = FileStorage(str(tmp_path)).create_index(schema(WordField))
    good = docs(seed_lines, 20)
    bad = [dict(good[0], no_such_field="x")]
    with pytest.raises(RuntimeError, match="no_such_field"):
        segments.build_segments(index, iter([good, bad, good]), 2, {"compound": False, "codec": ArchiveCodec()})
    assert index.refresh().doc_count() == 0
    lock = index.lock("WRITELOCK")
    assert lock.acquire(), "the write lock was released"
    lock.release()


def test_the_fields_fast_indexing_gives_what_whooshs_analysis_path_gives(seed_lines):
    long_text = "".join(seed_lines[:400])
    assert len(long_text) > 40_000
    # A bigram seen again after 65,535 characters: its positions are written as "II".
    far_apart = "甲乙" + "丙" * 70_000 + "甲乙丙"
    grams, words, stock = GramField(), WordField(), stock_words(False)
    for text in [*seed_lines[:50], long_text, far_apart, "", "  ", "甲"]:
        expected_grams = {
            (term.encode(), freq, weight, value)
            for term, freq, weight, value in grams.format.word_values(text, grams.analyzer, mode="index")
        }
        assert set(grams.index(text)) == expected_grams
        assert sorted(words.index(text)) == sorted(stock.index(text))


def test_an_optimizing_commit_merges_every_segment_as_whooshs_writer_does(seed_lines, tmp_path, monkeypatch):
    # Merged postings come through Whoosh's pool, where a field without values (ids,
    # keywords) hands over None for each posting's value.
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))

    def commits(index, writer_class):
        for round_ in range(2):
            writer = writer_class(index, codec=ArchiveCodec())
            for doc in docs(seed_lines, 30, offset=round_ * 30):
                writer.add_document(**doc)
            writer.commit(merge=False)
        writer = writer_class(index, codec=ArchiveCodec())
        writer.delete_by_term("kind", "odd")
        for doc in docs(seed_lines, 5, offset=60):
            writer.add_document(**doc)
        writer.commit(optimize=True)
        assert len(index._segments()) == 1

    indexes = written_by_each(commits)
    assert indexes["grouping"].doc_count() == indexes["stock"].doc_count() > 0
    assert postings_by_id(indexes["grouping"]) == postings_by_id(indexes["stock"])
