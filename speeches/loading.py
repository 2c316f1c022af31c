"""The only bridge from the pure pipeline to the ORM.

Both `manage.py ingest` and the admin upload call `ingest_bytes`, so they cannot
drift apart. Guarantees:
- the raw bytes are stored (their own commit) before anything else happens, so
  nothing uploaded is ever lost, even when parsing fails;
- a document's speeches are replaced in one transaction: a failure leaves the
  database as it was; the search engine hears of the change inside it (an engine
  in the database writes its rows there, one beside it updates after the commit);
- a failure, in parsing or while storing (a database error, a bug), is recorded on
  the document with its reason, not raised: the admin reports it, the worker and
  the commands go on with the next file;
- the same bytes twice change nothing; a re-ingest keeps every public id that
  still names the same speech and leaves an alias for the others.
"""

from __future__ import annotations

import hashlib
import logging
import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, replace
from functools import partial

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from . import id_history
from .indexing import documents_changed
from .ingest import PIPELINE_VERSION, IngestError, ParsedDocument, parse_document
from .ingest.classify import load_topics
from .ingest.continuity import NewSpeech, OldSpeech, assign_ids
from .ingest.dedupe import band_keys, best_match
from .ingest.identity import derive_public_id
from .ingest.pipeline import die_with_parent, parse_with_pid, warm_up
from .locks import LoadBusy, one_load_at_a_time
from .models import Document, Section, Speech, SpeechAlias, SpeechBand, SpeechTopic, Topic, forget_years_held
from .raw_files import keep_raw_file

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class LoadResult:
    document_id: int
    status: str  # "ingested", "unchanged", "failed", "queued"
    created: bool
    speeches: int = 0
    duplicates: int = 0
    message: str = ""

    @property
    def ok(self) -> bool:
        return self.status in {"ingested", "unchanged", "queued"}


def sha256_of(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


def store_upload(raw: bytes, name: str, user=None) -> tuple[Document, bool]:
    """Keep the raw bytes, in their own commit, before parsing. Returns (document, created).

    A file the archive held before (the database lost and rebuilt, or a deleted document
    uploaded again) gets back its number, which its page's URL and every citation of its
    speeches carry (/documents/<n>/), unless another document holds it now."""
    sha256 = sha256_of(raw)
    try:
        keep_raw_file(raw, sha256)
    except OSError:
        # The database keeps the bytes: a full disk or a read-only folder made the upload a
        # server error, and it was lost. `manage.py check_index --fix` writes the copy.
        log.exception("raw copy of %s not written; the database keeps its bytes", sha256)
    defaults = {"original_name": name[:255], "raw": raw, "size": len(raw), "uploaded_by": user}
    with transaction.atomic():
        existing = Document.objects.filter(sha256=sha256).first()
        if existing is not None:
            return existing, False
        # The history (it holds every speech's text) is read only for a file new to the database.
        number = id_history.read(sha256).get("document_id")
        if isinstance(number, int) and number > 0 and not Document.objects.filter(pk=number).exists():
            document, created = Document.objects.get_or_create(sha256=sha256, defaults={**defaults, "pk": number})
            if created:
                reserve_document_numbers(number)
            return document, created
        return Document.objects.get_or_create(sha256=sha256, defaults=defaults)


def reserve_document_numbers(upto: int) -> None:
    """New documents are numbered past `upto`: a number once given (a document deleted
    since, or one a rebuild has yet to bring back) never names another file. The
    database's counter only ever moves forward here."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [Document._meta.db_table])
            sequence = cursor.fetchone()[0]
            cursor.execute("SELECT last_value, is_called FROM " + sequence)
            last, called = cursor.fetchone()
            if upto > last or (upto == last and not called):
                cursor.execute("SELECT setval(%s, %s)", [sequence, upto])
        elif connection.vendor == "sqlite":
            # AUTOINCREMENT keeps the highest number ever given in sqlite_sequence.
            name = Document._meta.db_table
            cursor.execute("UPDATE sqlite_sequence SET seq = MAX(seq, %s) WHERE name = %s", [upto, name])
            if not cursor.rowcount:
                cursor.execute("INSERT INTO sqlite_sequence (name, seq) VALUES (%s, %s)", [name, upto])


# Documents in these states are not parsed again by ingest_bytes unless forced:
# already in the archive, or waiting for (or taken by) the upload worker.
SETTLED = frozenset({Document.Status.INGESTED, Document.Status.QUEUED, Document.Status.PROCESSING})
# ... except a document in the archive that an older pipeline parsed: its text is what
# that code restored, so the same bytes ingested again are parsed again (public ids are
# carried over as for any re-ingest). The rule as a query, for one document or many.
SETTLED_NOW = Q(status__in=SETTLED - {Document.Status.INGESTED}) | Q(
    status=Document.Status.INGESTED, pipeline_version=PIPELINE_VERSION
)


def ingest_bytes(
    raw: bytes,
    name: str,
    user=None,
    *,
    force: bool = False,
    inline_max: int | None = None,
    parsed: ParsedDocument | None = None,
    parser: Callable[[bytes], ParsedDocument] | None = None,
) -> LoadResult:
    """Store, then ingest now, or queue when `inline_max` is given and the file is bigger
    (the admin passes settings.INGEST_INLINE_MAX_BYTES; the command ingests everything inline).
    `parsed`: these bytes already parsed (manage.py ingest parses pages on several processes)."""
    document, created = store_upload(raw, name, user)
    if not created and not force and Document.objects.filter(SETTLED_NOW, pk=document.pk).exists():
        if document.status == Document.Status.INGESTED:
            _complete(document)
            return LoadResult(
                document.pk,
                "unchanged",
                False,
                document.speeches.count(),
                document.speeches.filter(duplicate_of__isnull=False).count(),  # as its ingest counted them
                message=_already_in_the_archive(document, name),
            )
        # A file already waiting for the worker (admin upload) is not ingested a second time beside it.
        return LoadResult(document.pk, "queued", False, message="已在队列中（already queued）")
    # Too big to parse at all (the pipeline holds several copies of the text in memory).
    if len(raw) > settings.INGEST_MAX_BYTES:
        return _record_failure(document, too_large_reason(len(raw)), created)
    # Too big to parse within a web request: `manage.py process_uploads` takes it.
    if inline_max is not None and len(raw) > inline_max:
        return enqueue(document, created)
    older = document.pipeline_version if document.status == Document.Status.INGESTED else ""
    result = ingest_document(document, created=created, parsed=parsed, parser=parser)
    if older and older != PIPELINE_VERSION and result.status == "ingested" and not force:
        message = f"已用新版流程重新解析（re-parsed: pipeline {older} → {PIPELINE_VERSION}）"
        result = replace(result, message=message)
    return result


def _complete(document: Document) -> None:
    """What an ingest left undone when its process died after the commit: the index
    update (the mark 索引待更新) and the id history. Ingested again, the file was said to
    be unchanged and stayed unsearchable, and its history was never written. Both are
    done as a load does them, after the commit (indexing.documents_changed,
    id_history.save_on_commit): inside a caller's transaction that rolls back, nothing
    is written."""
    from .index_check import PENDING_MARK

    with transaction.atomic():
        if document.error.startswith(PENDING_MARK):
            documents_changed({document.pk})
        id_history.save_unless_current(document)


def too_large_reason(size: int) -> str:
    limit = settings.INGEST_MAX_BYTES
    shown, allowed = size_text(size), size_text(limit)
    if shown == allowed:  # "16 MB，上限 16 MB": just over the limit, said in bytes
        shown, allowed = f"{size:,} 字节", f"{limit:,} 字节"
    return f"文件过大：{shown}，上限 {allowed}（file too large: {size} bytes > {limit}）"


def _already_in_the_archive(document: Document, name: str) -> str:
    """The document's name too, when the same bytes came under another (it keeps its own)."""
    if document.original_name == name[:255]:
        return "已在档案中（already in the archive）"
    return f"已在档案中，文件名为“{document.original_name}”（already in the archive as “{document.original_name}”）"


def size_text(size: int) -> str:
    """A size as people read it: 16 MB, 97.7 KB, 489 字节 (a limit under 1 MB read "0 MB",
    a file of 489 bytes "0 KB", beside the empty file's refusal)."""
    if size < 1024:
        return f"{size} 字节"
    if size >= 2**20:
        return f"{size / 2**20:.1f} MB".replace(".0 MB", " MB")
    return f"{size / 1024:.1f} KB".replace(".0 KB", " KB")


# ---- The upload queue, processed by `manage.py process_uploads` -----------------------------------


def enqueue(document: Document, created: bool = False) -> LoadResult:
    Document.objects.filter(pk=document.pk).update(status=Document.Status.QUEUED, error="", updated_at=timezone.now())
    return LoadResult(
        document.pk, "queued", created, message="文件较大，已排队等待处理（queued for background ingest）"
    )


def claim_next() -> Document | None:
    """Take the oldest queued document. The conditional UPDATE is the claim, so two
    workers (or a worker and a retry) never ingest the same document at once."""
    queued = Document.objects.filter(status=Document.Status.QUEUED).order_by("created_at", "id")
    for pk in queued.values_list("pk", flat=True)[:20]:
        claimed = Document.objects.filter(pk=pk, status=Document.Status.QUEUED).update(
            status=Document.Status.PROCESSING, updated_at=timezone.now()
        )
        if claimed:
            return Document.objects.get(pk=pk)
    return None


def lower_priority() -> None:
    """Batch ingest (the worker, `manage.py ingest`) parses at a lower CPU priority than
    the web workers: on 2 cores a parse otherwise takes a core from the searches
    (bench/bench_concurrency.py). Once per process; niceness only ever goes up."""
    if settings.BATCH_NICENESS:
        os.nice(settings.BATCH_NICENESS)


def process_queue(limit: int | None = None, should_stop=None) -> list[LoadResult]:
    """Ingest queued documents, oldest first, until the queue is empty (or `limit` done,
    or `should_stop()` says so: no document is claimed after that). Each is parsed in a
    child process given INGEST_PARSE_TIMEOUT: a page that outlasts it is refused, and the
    queue goes on (one hostile page held every upload behind it for hours)."""
    results: list[LoadResult] = []
    in_child = settings.INGEST_INLINE_IN_CHILD
    with child_parser(lambda: settings.INGEST_PARSE_TIMEOUT) if in_child else nullcontext(None) as parser:
        while limit is None or len(results) < limit:
            if should_stop is not None and should_stop():
                break
            document = claim_next()
            if document is None:
                break
            results.append(ingest_document(document, parser=parser))
    return results


def requeue_stale(older_than) -> int:
    """Documents left PROCESSING by a worker that died, or PENDING by a web request killed
    between storing and parsing (gunicorn's timeout), older than a timedelta, go back to the queue."""
    cutoff = timezone.now() - older_than
    stranded = [Document.Status.PROCESSING, Document.Status.PENDING]
    return Document.objects.filter(status__in=stranded, updated_at__lt=cutoff).update(
        status=Document.Status.QUEUED, updated_at=timezone.now()
    )


class OutOfTime(IngestError):
    """A web request's time ran out during a parse: the file is queued for the worker,
    which gives it INGEST_PARSE_TIMEOUT and refuses it only then (an ordinary page
    parsing when the request's 60 s ran out was failed as "beyond the pipeline")."""


@contextmanager
def child_parser(seconds: Callable[[], float] | None = None, in_request: bool = False):
    """A parse function for one web request that runs parse_document in a short-lived
    process: the models the pipeline warms up (jieba's dictionary, the character model,
    the GBK tables, ≈435 MB) leave with it, and the web worker stays small. One child
    serves every file of the request (a zip of pages warms up once), started only when a
    file is parsed. Spawned, not forked: nothing of the web process (database
    connections, threads) is copied into it.

    `seconds()`: how long the next parse may take; a parse that outlasts it is ended
    with its child, and the file refused with the reason (parse_timed_out), or, in a web
    request (`in_request`), left to the worker (OutOfTime)."""
    pool = None

    def parse(raw: bytes) -> ParsedDocument:
        nonlocal pool
        if pool is None:
            pool = ProcessPoolExecutor(
                max_workers=1,
                mp_context=multiprocessing.get_context("spawn"),
                # Killed with the request (gunicorn's timeout), the child slept on for good.
                initializer=die_with_parent,
                initargs=(os.getpid(),),
            )
            if seconds is not None:
                # A new child loads its models first (4 s, and many more on a loaded
                # machine): a file's limit is for its parse (an ordinary page after a
                # refused one was refused too, its child still starting), while a
                # request's own time goes on running meanwhile.
                pending = pool.submit(warm_up)
                try:
                    pending.result()
                except BrokenProcessPool as error:
                    pool = None
                    raise IngestError("解析进程无法启动（the parse process did not start）") from error
        # The function sent is the pure pipeline's: the child imports no Django.
        limit = max(seconds(), 0.0) if seconds is not None else None
        try:
            pid, parsed = pool.submit(parse_with_pid, raw).result(timeout=limit)
        except TimeoutError as error:
            _end_children(pool)
            pool = None
            if in_request:
                raise OutOfTime(f"out of the request's time after {limit:.0f} s") from error
            raise parse_timed_out(limit) from error
        except BrokenProcessPool as error:
            # The child died (the OOM killer): this file fails with a reason, and the
            # next files of the request get a child of their own; they all failed with it.
            pool.shutdown(wait=False)
            pool = None
            raise IngestError(
                "解析进程意外终止（可能内存不足），原始文件已保存，可稍后重新解析（the parse process died: out of memory?）"
            ) from error
        log.info("parsed in child %s", pid, extra={"child_pid": pid})
        return parsed

    try:
        yield parse
    finally:
        if pool is not None:
            pool.shutdown()


def _end_children(pool: ProcessPoolExecutor) -> None:
    """End a pool whose child is still parsing. ProcessPoolExecutor has no public way to
    stop a busy worker before Python 3.14 (terminate_workers); its processes are in
    `_processes`. shutdown() alone waits for the parse to finish."""
    for process in list((getattr(pool, "_processes", None) or {}).values()):
        process.kill()
    pool.shutdown(wait=True, cancel_futures=True)


def parse_timed_out(seconds: float) -> IngestError:
    return IngestError(
        f"解析超时：{seconds:.0f} 秒内未能解析完，原始文件已保存（parse timed out after {seconds:.0f} s; "
        "the raw file is kept: a page of this shape is beyond the pipeline, or the server was too busy）"
    )


def ingest_document(
    document: Document,
    *,
    created: bool = False,
    parsed: ParsedDocument | None = None,
    parser: Callable[[bytes], ParsedDocument] | None = None,
) -> LoadResult:
    """Parse the stored raw bytes and load the result; on failure keep what was there.
    A `parsed` made from other bytes than the document's is not used."""
    try:
        if parsed is None or parsed.sha256 != document.sha256:
            parsed = (parser or parse_document)(bytes(document.raw))
    except OutOfTime:
        return enqueue(document, created)
    except IngestError as error:
        return _record_failure(document, str(error), created)
    except Exception as error:  # a pipeline bug must not lose the upload either
        log.exception("pipeline failed on document %s", document.pk)
        return _record_failure(document, f"内部错误（pipeline error）: {type(error).__name__}: {error}", created)
    if not parsed.speeches:
        return _record_failure(document, "未找到讲话（no speech found in this file）", created, parsed.report_dict())
    committed: list[bool] = []
    try:
        with transaction.atomic():
            # Set first of the after-commit callbacks: an error raised by a later one
            # (the Whoosh index, updated after the commit) comes after the speeches are in.
            transaction.on_commit(partial(committed.append, True))
            one_load_at_a_time()
            copying = _documents_copying(document)
            count, duplicates = load_parsed(document, parsed)
            documents_changed({document.pk} | copying)
    except LoadBusy:
        # A web request waited its while for another file's load: the worker loads this one.
        return enqueue(document, created)
    except Exception as error:  # a database error or a bug while storing: rolled back, nothing changed
        if committed:
            raise
        log.exception("storing document %s failed; rolled back", document.pk)
        # The error's first line: PostgreSQL's carry DETAIL and HINT lines after it.
        first_line = str(error).strip().split("\n", 1)[0][:300]
        reason = f"内部错误（internal error while storing）: {type(error).__name__}: {first_line}"
        return _record_failure(document, reason, created)
    return LoadResult(document.pk, "ingested", created, count, duplicates, "入库成功（ingested）")


@transaction.atomic
def _record_failure(document: Document, reason: str, created: bool, report: dict | None = None) -> LoadResult:
    # A document that was ingested before keeps its speeches and status: the
    # failure of a re-ingest is recorded beside them, nothing is taken away. (One queued
    # for the worker, its status then queued or processing, is in the archive again: it
    # was failed with its speeches still there, searchable on one engine and not the other.)
    fields = {"error": reason, "updated_at": timezone.now()}
    if document.status == Document.Status.INGESTED or document.speeches.exists():
        fields["status"] = Document.Status.INGESTED
    else:
        fields["status"] = Document.Status.FAILED
        fields["report"] = report or {"error": reason}
    Document.objects.filter(pk=document.pk).update(**fields)
    remember_name(document)
    return LoadResult(document.pk, "failed", created, message=reason)


def remember_name(document: Document) -> None:
    """A failed upload's name and date, kept beside its bytes as an ingested one's are
    (id_history): `rebuild_from_raw` named it by its hash only."""
    id_history.save_unless_current(document)


def sync_topics() -> dict[str, Topic]:
    """The taxonomy is data (ingest/data/topics.json); rows follow it."""
    topics = {t.slug: t for t in Topic.objects.all()}
    for definition in load_topics():
        topic = topics.get(definition.slug)
        if topic is None:
            topics[definition.slug] = Topic.objects.create(slug=definition.slug, name=definition.name)
        elif topic.name != definition.name:
            topic.name = definition.name
            topic.save(update_fields=["name"])
    return topics


def load_parsed(document: Document, parsed: ParsedDocument) -> tuple[int, int]:
    """Replace the document's speeches with the parsed ones. Call inside a transaction."""
    one_load_at_a_time()
    forget_years_held()
    document = Document.objects.select_for_update().get(pk=document.pk)
    old = _old_speeches(document)
    ids, orphans = _carry_over_ids(document, parsed, old)
    topics = sync_topics()
    # Speeches elsewhere that pointed at this document's speeches are re-pointed below.
    dependants = {
        s.pk: (s.duplicate_of.public_id, s.duplicate_kind)
        for s in Speech.objects.filter(duplicate_of__document=document)
        .exclude(document=document)
        .select_related("duplicate_of")
    }
    aliases_to_speech = dict(
        SpeechAlias.objects.filter(speech__document=document).values_list("public_id", "speech__public_id")
    )
    # A speech that keeps its id keeps its row number and arrival time too: the order
    # "newest" and the Atom feed (speeches/feeds.py) list speeches in. Given new ones, every
    # forced re-ingest and re-parse after a pipeline change put old speeches on top.
    arrived = {
        public_id: (pk, at) for pk, public_id, at in document.speeches.values_list("pk", "public_id", "created_at")
    }
    # An id a re-ingest merged or removed and this one gives back is no newcomer either:
    # it arrived with its document (its row went, so its number is new).
    revived = SpeechAlias.objects.filter(public_id__in=ids.values())
    for public_id in revived.values_list("public_id", flat=True):
        arrived.setdefault(public_id, (None, document.created_at))
    document.speeches.all().delete()
    revived.delete()
    by_ordinal = {}
    for parsed_speech in parsed.speeches:
        public_id = ids[parsed_speech.ordinal]
        by_ordinal[parsed_speech.ordinal] = _create_speech(
            document, parsed_speech, public_id, topics, arrived.get(public_id)
        )
    # The speeches that copied this document's are originals of nothing while its rows are
    # replaced: they are re-pointed below, and are never the new rows' originals.
    duplicates = _link_duplicates(parsed, by_ordinal, exclude=set(dependants))
    _record_orphans(document, orphans, {o.public_id: o for o in old}, by_ordinal)
    _restore_links(dependants, aliases_to_speech, by_ordinal, orphans)
    _keep_id_history(document)
    document.title = parsed.title[:500]
    document.supplied_title = parsed.supplied_title[:500]
    document.preamble = parsed.preamble
    document.trailer = parsed.trailer
    document.fragments = list(parsed.fragments)
    document.encoding = parsed.encoding
    document.encoding_confidence = parsed.confidence
    document.pipeline_version = parsed.pipeline_version
    document.report = parsed.report_dict()
    document.status = Document.Status.INGESTED
    document.error = ""
    document.ingested_at = timezone.now()
    document.save()
    return len(by_ordinal), duplicates


def _old_speeches(document: Document) -> list[OldSpeech]:
    """The speeches the document's ids name now, and the aliases whose text is known: a
    speech that comes back after a merge or a removal takes its id back."""
    old = [
        OldSpeech(s.public_id, s.fingerprint, s.text, s.ordinal, s.title)
        for s in document.speeches.only("public_id", "fingerprint", "text", "ordinal", "title")
    ]
    retired = [
        OldSpeech(a.public_id, a.fingerprint, a.text, a.ordinal or 0, a.title, retired=True)
        for a in SpeechAlias.objects.filter(document=document).exclude(text="")
    ]
    if not old:
        # No speeches in the database for this document (a rebuild after the database
        # was lost): the id history kept beside the raw file names the ids its speeches
        # had, so they are carried over by content even if the pipeline changed since.
        known = {o.public_id for o in retired}
        old = [o for o in id_history.previous_speeches(document.sha256) if o.public_id not in known]
    return old + retired


def _carry_over_ids(document: Document, parsed: ParsedDocument, old: list[OldSpeech]):
    new = [NewSpeech(s.ordinal, s.fingerprint, s.text) for s in parsed.speeches]
    return assign_ids(old, new, partial(derive_public_id, document.sha256), _reserved(document))


def _reserved(document: Document) -> frozenset[str]:
    """Alias ids, in the database or the id history, never handed to other content."""
    aliases = SpeechAlias.objects.filter(document=document).values_list("public_id", flat=True)
    return frozenset(aliases) | id_history.alias_ids(document.sha256)


def _keep_id_history(document: Document) -> None:
    """Bring back aliases a lost database had, then record every id beside the raw file
    (written after commit) so that `manage.py rebuild_from_raw` can keep them."""

    id_history.restore_aliases(document)
    id_history.save_on_commit(document)


def _create_speech(document: Document, parsed, public_id: str, topics: dict[str, Topic], arrived=None) -> Speech:
    speech = Speech.objects.create(
        pk=arrived[0] if arrived else None,
        document=document,
        ordinal=parsed.ordinal,
        public_id=public_id,
        title=(parsed.display_title or parsed.title)[:500],
        source_title=parsed.title[:500],
        text=parsed.text,
        original_text=parsed.original_text,
        year=parsed.year,
        char_count=len(parsed.text.replace("\n", "")),
        occasion=parsed.occasion[:255],
        speaker_level=parsed.speaker_level,
        genre=parsed.genre,
        region=parsed.region[:64],
        keywords=list(parsed.keywords),
        fingerprint=parsed.fingerprint,
        signature=list(parsed.signature),
        subtitle=parsed.subtitle[:255],
        title_trusted=parsed.title_trusted,
        title_supplied=parsed.title_supplied,
        title_qualifier=parsed.title_qualifier[:100],
        speaker=parsed.attribution.speaker.value[:32],
        office=parsed.attribution.office.value[:32],
        date=parsed.attribution.date.value,
        attribution=parsed.attribution.to_dict(),
        is_fragment=parsed.fragment,
    )
    if arrived:  # created_at is auto_now_add: set on create, whatever is passed
        speech.created_at = arrived[1]
        Speech.objects.filter(pk=speech.pk).update(created_at=arrived[1])
    if parsed.signature:
        SpeechBand.objects.bulk_create(SpeechBand(speech=speech, key=key) for key in band_keys(parsed.signature))
    paragraph = 1
    sections = []
    for section in parsed.sections:
        sections.append(
            Section(
                speech=speech,
                ordinal=section.ordinal,
                heading=section.heading[:500],
                level=section.level,
                text="\n".join(section.paragraphs),
                first_paragraph=paragraph,
            )
        )
        paragraph += len(section.paragraphs)
    Section.objects.bulk_create(sections)
    SpeechTopic.objects.bulk_create(
        SpeechTopic(speech=speech, topic=topics[slug], score=score) for slug, score in parsed.topics if slug in topics
    )
    return speech


def _link_duplicates(parsed: ParsedDocument, by_ordinal: dict[int, Speech], exclude: set[int] = frozenset()) -> int:
    """Within the document as the pipeline found them, then against the rest of the
    archive, whose speeches in `exclude` are not taken for originals."""
    count = 0
    # The page's originals first: a repeat inside the page copies what its original
    # copies, if anything. (It was linked to its original when that was itself a copy of
    # another file's speech: a copy of a copy, which the PostgreSQL engine listed beside
    # its original and the Whoosh engine left out, with any words only it held.)
    for parsed_speech in sorted(parsed.speeches, key=lambda s: s.duplicate_of is not None):
        speech = by_ordinal[parsed_speech.ordinal]
        if parsed_speech.duplicate_of is not None:
            canonical, kind = by_ordinal.get(parsed_speech.duplicate_of), parsed_speech.duplicate_kind or "exact"
            if canonical is not None and canonical.duplicate_of is not None:
                canonical, kind = canonical.duplicate_of, copy_kind(kind, canonical.duplicate_kind)
                if speech.fingerprint and speech.fingerprint == canonical.fingerprint:
                    # Word for word the original, whatever the page's own repeat changed.
                    kind = "exact"
        else:
            canonical, kind = _archive_original(speech, exclude)
        if canonical is not None and canonical.pk != speech.pk:
            speech.duplicate_of, speech.duplicate_kind = canonical, kind
            speech.save(update_fields=["duplicate_of", "duplicate_kind"])
            count += 1
    return count


def copy_kind(first: str, then: str) -> str:
    """What a copy (`first`) of a copy (`then`) is of the latter's original: exact only if
    both are; another version ("near") if either is; else all of it found there ("partial")."""
    if first == then:
        return first
    return "near" if "near" in (first, then) else "partial"


def _archive_original(speech: Speech, exclude: set[int] = frozenset()) -> tuple[Speech | None, str]:
    """The earliest canonical speech of another document with the same text (exact), or
    failing that the most similar one sharing a MinHash band (near)."""
    others = Speech.objects.filter(duplicate_of__isnull=True).exclude(document=speech.document).exclude(pk__in=exclude)
    exact = (
        others.filter(fingerprint=speech.fingerprint).order_by("document__created_at", "document_id", "ordinal").first()
    )
    if exact is not None:
        return exact, "exact"
    if not speech.signature:
        return None, ""
    keys = band_keys(tuple(speech.signature))
    candidates = others.filter(bands__key__in=keys).distinct().only("pk", "signature")
    match = best_match(tuple(speech.signature), ((c, tuple(c.signature)) for c in candidates))
    return (match[0], "near") if match else (None, "")


def _record_orphans(document, orphans, old: dict[str, OldSpeech], by_ordinal) -> None:
    """Old ids without a speech of their own lead to the speech holding most of the text
    they named (speeches/ingest/continuity.py successor), or explain that it is gone."""
    for public_id, ordinal in orphans.items():
        was = old[public_id]
        target = by_ordinal.get(ordinal) if ordinal is not None else None
        SpeechAlias.objects.update_or_create(
            public_id=public_id,
            defaults={
                "speech": target,
                "document": document,
                "title": was.title,
                "reason": "merged" if target else "removed",
                "text": was.text,
                "fingerprint": was.fingerprint,
                "ordinal": was.ordinal,
            },
        )


def _restore_links(
    dependants: dict[int, tuple[str, str]], aliases: dict[str, str], by_ordinal: dict[int, Speech], orphans
) -> None:
    by_public_id = {s.public_id: s for s in by_ordinal.values()}
    # A link to a speech this load merged or split goes on to its successor, as the
    # speech's own id does; only a removed speech leaves its links empty.
    by_public_id.update({old: by_ordinal[n] for old, n in orphans.items() if n is not None})
    for speech_pk, (target_id, kind) in dependants.items():
        target = by_public_id.get(target_id)
        if target is not None:
            # If the speech it copied is now itself a copy, it copies that one's original.
            if target.duplicate_of is not None:
                target, kind = target.duplicate_of, copy_kind(kind, target.duplicate_kind)
            Speech.objects.filter(pk=speech_pk).update(duplicate_of=target, duplicate_kind=kind)
            continue
        # Its original was removed: it copies whatever else the archive holds of it, or nothing.
        speech = Speech.objects.get(pk=speech_pk)
        original, kind = _archive_original(speech)
        Speech.objects.filter(pk=speech_pk).update(duplicate_of=original, duplicate_kind=kind)
    for alias_id, target_id in aliases.items():
        # Aliases whose text is known were placed by it (_record_orphans); the others
        # (made before aliases kept their text) follow the id they pointed at.
        if alias_id not in orphans:
            SpeechAlias.objects.filter(public_id=alias_id).update(speech=by_public_id.get(target_id))


def remove_document(document: Document) -> None:
    """Delete a document, its speeches and their index entries."""
    document_id = document.pk
    with transaction.atomic():
        # A deletion is quick; it waits for a load under way, whoever asks (not bounded).
        one_load_at_a_time(bounded=False)
        forget_years_held()
        # After the lock: a load committed meanwhile may have made copies of its speeches.
        copying = _documents_copying(document)
        # Its ids stay known, so a bookmarked link explains the removal instead of a bare 404,
        # or leads to a copy another document keeps of the speech (the earliest), which
        # becomes the original of the other copies.
        survivors, successors = _survivors(document)
        # Before anything below changes its aliases: a document stored before id histories
        # were kept has its history made now, from them.
        id_history.mark_deleted_on_commit(
            document, timezone.now().isoformat(), {public_id: found for public_id, (_, found) in successors.items()}
        )
        for pk, public_id, title in document.speeches.values_list("pk", "public_id", "title"):
            survivor = successors.get(public_id, (None, None))[0]
            if survivor is not None:
                # Ids an earlier re-ingest merged into this speech follow it to the survivor.
                SpeechAlias.objects.filter(speech_id=pk).update(speech_id=survivor)
            SpeechAlias.objects.update_or_create(
                public_id=public_id,
                defaults={
                    "speech_id": survivor,
                    "document": None,
                    "title": title,
                    "reason": "deleted",
                },
            )
        # Ids an earlier re-ingest retired: their page (speech_gone.html) now blames the
        # deletion, not the re-processing.
        SpeechAlias.objects.filter(document=document).update(document=None, reason="deleted")
        document.delete()
        for survivor, others in survivors.items():
            Speech.objects.filter(pk__in=others).update(duplicate_of=survivor)
        documents_changed({document_id} | copying)


def _survivors(document: Document) -> tuple[dict[int, list[int]], dict[str, tuple[int, str]]]:
    """What the document's speeches leave behind when it goes: for each speech another
    document keeps a copy of, that copy (the earliest, the others' original from then on:
    survivor pk -> the other copies' pks); and for each speech, the speech its id leads to
    (id -> (pk, id)): its surviving copy; or, a copy itself, its original in another
    document, or the survivor of its original in this one."""
    survivors: dict[int, list[int]] = {}
    successors: dict[str, tuple[int, str]] = {}
    rows = list(
        document.speeches.values_list(
            "pk", "public_id", "duplicate_of_id", "duplicate_of__public_id", "duplicate_of__document_id"
        )
    )
    by_pk = {pk: public_id for pk, public_id, *_ in rows}
    for pk, public_id, *_ in rows:
        copies = list(
            Speech.objects.filter(duplicate_of=pk)
            .exclude(document=document)
            .order_by("document__created_at", "document_id", "ordinal")
            .values_list("pk", "public_id")
        )
        if copies:
            survivors[copies[0][0]] = [copy for copy, _ in copies[1:]]
            successors[public_id] = copies[0]
    for _pk, public_id, original, original_id, original_document in rows:
        if public_id in successors or original is None:
            continue
        if original_document != document.pk:
            successors[public_id] = (original, original_id)
        elif by_pk.get(original) in successors:
            successors[public_id] = successors[by_pk[original]]
    return survivors, successors


def _documents_copying(document: Document) -> set[int]:
    """Other documents with speeches that copy this one's. A load re-points or frees
    them (a copy whose original went is a speech of its own), and an index may say
    whether a speech is a copy and of which: the engine hears they changed too."""
    return set(
        Speech.objects.filter(duplicate_of__document=document)
        .exclude(document=document)
        .values_list("document_id", flat=True)
    )
