"""haystack's Whoosh backend, taught Chinese. Configured in settings.HAYSTACK_CONNECTIONS.

Why a subclass (never a patch of site-packages):
- Analysis: jieba words and character bigrams, both folded to simplified
  (speeches.search.analysis), instead of haystack's StemmingAnalyzer.
- haystack stores and makes sortable every text field; a stored full text doubles
  the index and a sortable one builds a column of it. Texts live in the database.
- Writers: a second Whoosh writer raises LockError at once and haystack's
  AsyncWriter may retry forever in a thread. We take one cross-process file lock
  and wait a bounded time for it (speeches.locks). A rebuild writes a new index
  beside the live one and swaps it in (building()).
- Searching: haystack's search() fetches every hit, highlights with a stemming
  analyzer and has no Whoosh facets; the engine (__init__.py) hands the query
  tree to view.IndexView, which answers one page with exact facet counts.
- haystack's clear_index and rebuild_index would empty the live index: the
  project's commands of those names refuse before haystack's would print or ask
  anything (speeches/management/commands/clear_index.py), and clear() refuses any
  other caller, naming `manage.py reindex`.
Whoosh's and haystack's private internals are used in internals.py only.
"""

from __future__ import annotations

import logging
import os
import shutil
import time
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

from django.core.management.base import CommandError
from haystack.backends import BaseEngine
from haystack.backends.whoosh_backend import WhooshSearchBackend, WhooshSearchQuery
from haystack.constants import ID
from haystack.exceptions import SkipDocument
from haystack.utils import get_identifier
from whoosh.fields import ID as WHOOSH_ID
from whoosh.fields import KEYWORD, NUMERIC
from whoosh.filedb.filestore import FileStorage

from ...indexing import CLEAR_REFUSED
from ...locks import IndexBusy, index_write_lock
from ...raw_files import write_atomically
from ..analysis import format_problem, index_format
from .fields import GramField, WordField
from .internals import ArchiveCodec, GroupingWriter, build_segments, from_python
from .view import TIE_COLUMN, IndexView

log = logging.getLogger(__name__)
# Index fields (see index.py) that are filtered on exactly, never analysed.
EXACT_FIELDS = {"public_id", "level", "genre", "document", "copy_of", "office", "occasion", "source"}
# A place is listed with its province too ("湖北", "湖北·襄阳"), so either selects it.
KEYWORD_FIELDS = {"topics", "places"}
SORTABLE_FIELDS = {"year", "length", TIE_COLUMN}
# Fields the backend derives from others in prepare(): bigrams for exact phrases,
# and the year as an exact term for facet counting.
GRAM_FIELDS = {"grams": "text", "title_grams": "title"}


# The file in the index folder that records the format of the code that built it.
FORMAT_FILE = "ARCHIVE_FORMAT"


@lru_cache(maxsize=1)
def whoosh_format() -> str:
    """The Whoosh engine's entries: the schema's fields, the haystack index's prepared
    values and the codec that writes segments (analysis.index_format)."""
    return index_format(
        "search/whoosh/fields.py",
        "search/whoosh/index.py",
        "search/whoosh/internals.py",
        libraries=("Whoosh", "django-haystack"),
    )


def record_format(folder: str) -> None:
    # Written whole or not at all, and only when it changes: a searcher reads it when it
    # opens a new generation, and one that read the file half written (truncated, while
    # an upload into the empty index wrote it again) refused the index as another
    # version's, a 503 in the middle of concurrent uploads.
    if recorded_format(folder) != whoosh_format():
        write_atomically(Path(folder) / FORMAT_FILE, whoosh_format().encode("ascii"))


def recorded_format(folder: str) -> str:
    try:
        with open(os.path.join(folder, FORMAT_FILE), encoding="ascii") as file:
            return file.read().strip()
    except FileNotFoundError:
        return ""


def writer_options() -> dict:
    # Non-compound segments: compound files are copied into memory on every open,
    # measured as much of haystack's slowness with default settings.
    return {"compound": False, "codec": ArchiveCodec()}


@contextmanager
def _open_writer(index):
    writer = GroupingWriter(index, **writer_options())
    try:
        yield writer
    except BaseException:
        writer.cancel()
        raise
    else:
        writer.commit()


class OldIndex(IndexBusy):
    """The index was written by an older version of this code: its table of contents
    pickles classes (a codec, fields) that moved or went, or its values are in a form
    this code no longer reads. Searches say the index is being updated, not a server
    error, until `manage.py reindex` builds a new one beside it."""

    def __init__(self, error: Exception):
        super().__init__(f"the index was written by an older version; run manage.py reindex ({error})")


class ChineseWhooshSearchBackend(WhooshSearchBackend):
    def build_schema(self, fields):
        content_field_name, schema = super().build_schema(fields)
        for field in fields.values():
            fieldname = field.index_fieldname
            if fieldname in EXACT_FIELDS:
                schema.remove(fieldname)
                schema.add(fieldname, WHOOSH_ID(stored=True))
            elif fieldname in KEYWORD_FIELDS:
                schema.remove(fieldname)
                schema.add(fieldname, KEYWORD(stored=True, commas=True, scorable=False))
            elif fieldname in SORTABLE_FIELDS:
                schema.remove(fieldname)
                schema.add(fieldname, NUMERIC(numtype=int, stored=True, sortable=True))
            elif field.field_type == "string":
                schema.remove(fieldname)
                schema.add(fieldname, WordField(field_boost=field.boost, stored=fieldname != content_field_name))
        for fieldname in GRAM_FIELDS:
            schema.add(fieldname, GramField())
        schema.add("year_key", WHOOSH_ID(stored=False))
        return content_field_name, schema

    def prepare(self, index, obj) -> dict | None:
        try:
            doc = index.full_prepare(obj)
        except SkipDocument:
            return None
        doc = {key: from_python(self, value) for key, value in doc.items() if value is not None}
        doc.pop("boost", None)
        for gram_field, source in GRAM_FIELDS.items():
            doc[gram_field] = doc.get(source, "")
        if doc.get("year"):
            doc["year_key"] = str(doc["year"])
        return doc

    def setup(self):
        # haystack's setup() creates the index when the folder is empty; two processes
        # meeting an empty index at once raced there ("_MAIN_0.toc exists"), so creating
        # it takes the write lock like any other write.
        with index_write_lock(self.path):
            self._finish_interrupted_swap()
            try:
                super().setup()
            except (ImportError, AttributeError) as error:
                # haystack set the storage and schema before opening the index.
                raise OldIndex(error) from error

    def _finish_interrupted_swap(self) -> None:
        """A process that died between building()'s two renames left no live index, the
        complete new one beside it (.new) and the old one (.old): haystack's setup then
        made an empty live index, and every search found nothing until `reindex`. The
        new one is put in place (the old one, if it alone is left)."""
        if not self.use_file_storage:
            return
        path = os.path.abspath(self.path)
        if os.path.exists(path):
            return
        for left in (f"{path}.new", f"{path}.old"):
            if os.path.isdir(left) and any(name.endswith(".toc") for name in os.listdir(left)):
                log.warning("search index missing; %s left by an interrupted rebuild put in its place", left)
                os.rename(left, path)
                return

    @contextmanager
    def writer(self, adding: bool = True):
        """One Whoosh writer at a time across threads and processes, waiting a bounded time.
        `adding`: whether entries are written, or only removed."""
        if not self.setup_complete:
            self.setup()
        with index_write_lock(self.path):
            self.index = self.index.refresh()
            if self.use_file_storage and self.index.doc_count() == 0:
                # What is written into an empty index is all of this code's format.
                record_format(self.path)
            # Nor is anything written among entries of another form: the change waits,
            # recorded as pending, for the `reindex` that replaces them all. A removal
            # leaves none of this code's entries there, and may empty the index.
            if adding:
                self._refuse_another_format()
            with _open_writer(self.index) as writer:
                yield writer

    def build(self, batches, procs: int = 1) -> int:
        """Replace the whole index by the documents of `batches` (lists of prepare()'d
        dicts), written on `procs` processes beside the live index (building())."""
        with self.building() as index:
            return build_segments(index, batches, procs, writer_options())

    @contextmanager
    def building(self):
        """A new, empty index beside the live one, replacing it only if the block succeeds.

        Rebuilding in place (haystack's way) left searches with an empty, then
        partial index for minutes. Searchers keep the old index until the swap; a failed
        build leaves it untouched. The write lock is held throughout, so no update
        lands in the old index and is lost with it. Yields the new Whoosh index.
        """
        if not self.setup_complete:
            try:
                self.setup()
            except OldIndex:
                pass  # the old index is replaced below, never read
        if not self.use_file_storage:  # the RAM index of some tests: rebuild in place
            self.clear_in_place()
            with index_write_lock(self.path):
                yield self.index
            return
        path = os.path.abspath(self.path)
        fresh, stale = f"{path}.new", f"{path}.old"
        with index_write_lock(self.path):
            shutil.rmtree(fresh, ignore_errors=True)
            os.makedirs(fresh)
            try:
                new_index = FileStorage(fresh).create_index(self.schema)
                record_format(fresh)
                yield new_index
            except BaseException:
                shutil.rmtree(fresh, ignore_errors=True)
                raise
            shutil.rmtree(stale, ignore_errors=True)
            if os.path.exists(path):
                os.rename(path, stale)
            # Between these two renames the index is missing for a moment;
            # view() retries a search that falls into it.
            os.rename(fresh, path)
            shutil.rmtree(stale, ignore_errors=True)
            self.storage = FileStorage(path)
            self.index = self.storage.open_index(schema=self.schema)
            self.setup_complete = True

    def update(self, index, iterable, commit=True):
        docs = [doc for doc in (self.prepare(index, obj) for obj in iterable) if doc]
        if not docs:
            # haystack issue #680: committing an empty batch can leave the lock held.
            return
        with self.writer() as writer:
            for doc in docs:
                writer.update_document(**doc)

    def remove(self, obj_or_string, commit=True):
        identifier = get_identifier(obj_or_string)
        with self.writer(adding=False) as writer:
            writer.delete_by_term(ID, identifier)

    def replace_document(self, index, document_id, objects):
        """Swap all entries of one source document in one commit, so searchers never
        see it half-updated and entries of speeches a re-ingest dropped go too."""
        docs = [doc for doc in (self.prepare(index, obj) for obj in objects) if doc]
        with self.writer(adding=bool(docs)) as writer:
            writer.delete_by_term("document", str(document_id))
            for doc in docs:
                writer.add_document(**doc)

    def clear(self, models=None, commit=True):
        """haystack's clear_index and rebuild_index call this: they would empty the live
        index that researchers are searching. Refused; `manage.py reindex` builds a new
        index beside it and swaps it in."""
        raise CommandError(CLEAR_REFUSED)

    def format_problem(self) -> str:
        """Why the index's entries may not be what this code writes, or "" (an empty
        index, or one recorded with this code's format)."""
        if not self.use_file_storage:
            return ""
        if not self.setup_complete:
            self.setup()
        recorded, current = recorded_format(self.path), whoosh_format()
        if recorded == current or self.index.refresh().doc_count() == 0:
            return ""
        return format_problem(recorded, current, "the index's entries")

    def clear_in_place(self) -> None:
        """Empty the index (tests with a RAM index, and building() for one)."""
        if not self.setup_complete:
            self.setup()
        with index_write_lock(self.path):
            self.delete_index()
            self.setup()

    # --- searching -----------------------------------------------------------
    # haystack's own search() fetches and highlights every hit with a stemming
    # analyzer and has no facets for Whoosh; this path asks Whoosh for one page
    # of scored hits and counts facets by set intersection over the matches.

    def view(self) -> IndexView:
        """This thread's open searcher, reopened only when the index changed."""
        if not self.setup_complete:
            self.setup()
        current = getattr(self, "_view", None)
        generation = self._generation()
        if current is None or current.generation != generation:
            if current is not None:
                current.close()
            self._view = None
            try:
                self.index = self.index.refresh()
            except (ImportError, AttributeError) as error:
                raise OldIndex(error) from error
            # Entries in another form than this code writes are not read, as the postgres
            # engine's rows are not: an index of an older version whose classes still
            # loaded gave server errors (IndexError in the page's take) and wrong totals.
            self._refuse_another_format()
            try:
                self._view = current = IndexView(self.index.searcher(), generation)
            except (ImportError, AttributeError) as error:
                raise OldIndex(error) from error
        return current

    def _refuse_another_format(self) -> None:
        if self.use_file_storage and recorded_format(self.path) != whoosh_format() and self.index.doc_count():
            raise OldIndex(format_problem(recorded_format(self.path), whoosh_format(), "the index's entries"))

    def forget_cached_results(self) -> None:
        """Drop this thread's cached term and phrase sets (benchmarks time cold queries)."""
        if getattr(self, "_view", None) is not None:
            self._view.forget()

    def _generation(self, attempts: int = 50):
        """What identifies the index's current state: its generation, and which folder
        holds it (a rebuild swaps in a new folder whose generations start again)."""
        for _ in range(attempts):
            try:
                folder = os.stat(self.path).st_ino if self.use_file_storage else 0
                return (folder, self.index.latest_generation())
            except FileNotFoundError:
                time.sleep(0.01)  # between the two renames of building()
        raise IndexBusy("the search index is being replaced")


class ChineseWhooshEngine(BaseEngine):
    backend = ChineseWhooshSearchBackend
    query = WhooshSearchQuery
