"""manage.py ingest: files, folders and globs; --report writes nothing."""

import threading

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from speeches.models import Document, Speech
from speeches.tests.conftest import ON_POSTGRES

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("empty_archive")]


def test_ingest_takes_a_folder_and_prints_a_line_per_file(capsys, fresh_index):
    call_command("ingest", str(settings.SAMPLE_CORPUS_DIR), "--no-progress")
    out = capsys.readouterr().out
    assert sum(line.split(": ")[1].startswith("ingested") for line in out.splitlines() if ": " in line) == 5
    assert Document.objects.ingested().count() == 5
    from speeches.indexing import indexed_count

    assert indexed_count() == Speech.objects.count()


def test_ingest_takes_a_glob_and_skips_known_files(capsys, fresh_index):
    call_command("ingest", str(settings.SAMPLE_CORPUS_DIR / "00[12]_*.txt"), "--no-progress")
    call_command("ingest", str(settings.SAMPLE_CORPUS_DIR / "002_*.txt"), "--no-progress")
    out = capsys.readouterr().out
    assert "unchanged" in out and Document.objects.count() == 2


def test_ingest_expands_a_zip_as_the_admins_upload_does(capsys, fresh_index, tmp_path):
    from speeches.tests.admin_helpers import zip_of

    page = (settings.SAMPLE_CORPUS_DIR / "002_5507ae1777cd8619.txt").read_bytes()
    path = tmp_path / "scrape.zip"
    path.write_bytes(zip_of({"page.txt": page, "photo.png": b"\x89PNG\r\n\x1a\n"}))
    with pytest.raises(CommandError):  # the zip kept whole for its PNG counts as a failure
        call_command("ingest", str(path), "--no-progress")
    out = capsys.readouterr().out
    assert "scrape.zip/page.txt: ingested" in out and "scrape.zip: failed" in out
    page_document = Document.objects.get(original_name="scrape.zip/page.txt")
    assert page_document.status == Document.Status.INGESTED and page_document.speeches.exists()
    kept = Document.objects.get(original_name="scrape.zip")
    assert bytes(kept.raw) == path.read_bytes() and "photo.png" in kept.error


def test_ingest_counts_a_zips_pages_among_the_files_it_says_failed(tmp_path):
    from speeches.tests.admin_helpers import zip_of

    english = b"The county council met on Monday to discuss the budget. " * 20
    path = tmp_path / "scrape.zip"
    path.write_bytes(zip_of({"one.txt": english, "two.txt": english + b"Again."}))
    # Two pages, both refused as not Chinese: it said "2 of 1 files failed".
    with pytest.raises(CommandError, match="2 of 2 files failed"):
        call_command("ingest", str(path), "--no-progress")


def test_ingest_report_expands_a_zip_as_ingest_does_and_writes_nothing(capsys, tmp_path):
    from speeches.tests.admin_helpers import zip_of

    page = (settings.SAMPLE_CORPUS_DIR / "002_5507ae1777cd8619.txt").read_bytes()
    path = tmp_path / "scrape.zip"
    path.write_bytes(zip_of({"page.txt": page, "photo.png": b"\x89PNG\r\n\x1a\n"}))
    call_command("ingest", str(path), "--report")
    out = capsys.readouterr().out
    # It said "scrape.zip: failed — binary file: ZIP archive", the zip parsed as a page.
    assert "== scrape.zip/page.txt: 3 speeches" in out
    assert "scrape.zip: failed — " in out and "photo.png" in out and "ZIP archive" not in out
    assert Document.objects.count() == 0


def test_ingest_report_prints_the_steps_and_writes_nothing(capsys):
    call_command("ingest", str(settings.SAMPLE_CORPUS_DIR / "002_5507ae1777cd8619.txt"), "--report")
    out = capsys.readouterr().out
    assert "pinyin" in out and "annotations_removed" in out and "3 speeches" in out
    assert Document.objects.count() == 0


def test_ingest_takes_the_zips_of_a_folder_and_names_the_other_files_it_leaves_out(capsys, fresh_index, tmp_path):
    from speeches.tests.admin_helpers import zip_of

    page = (settings.SAMPLE_CORPUS_DIR / "002_5507ae1777cd8619.txt").read_bytes()
    (tmp_path / "scrape.zip").write_bytes(zip_of({"page.txt": page}))
    (tmp_path / "report.pdf").write_bytes(b"%PDF-1.4")
    # A hidden page is named too (it was passed over without a word); a system's file is not.
    (tmp_path / ".hidden_speech.txt").write_bytes(page)
    (tmp_path / ".DS_Store").write_bytes(b"\x00\x00\x00\x01Bud1")
    (tmp_path / "._report.txt").write_bytes(b"\x00\x05\x16\x07")  # macOS's fork beside a page
    call_command("ingest", str(tmp_path), "--no-progress")
    captured = capsys.readouterr()
    assert "scrape.zip/page.txt: ingested" in captured.out and ".hidden_speech.txt:" not in captured.out
    assert "left out 2 files that are hidden or neither pages nor zips: .hidden_speech.txt, report.pdf" in captured.err


@pytest.mark.parametrize("files", [{}, {"report.pdf": b"%PDF-1.4"}])
def test_ingest_of_a_folder_without_pages_says_so_and_fails(tmp_path, files):
    # It printed nothing and exited 0.
    for name, raw in files.items():
        (tmp_path / name).write_bytes(raw)
    with pytest.raises(CommandError, match="no pages"):
        call_command("ingest", str(tmp_path), "--no-progress")


def test_ingest_names_a_missing_path():
    with pytest.raises(CommandError, match="no such file"):
        call_command("ingest", "/nonexistent/page.txt")


SMALL_SEEDS = "00[012]_*.txt"  # 000, 001, 002: three pages, 0.55 MB


def archive_contents() -> list[tuple]:
    """Everything ingest stores for a speech, by document hash and ordinal."""
    rows = []
    for speech in Speech.objects.select_related("document", "duplicate_of").order_by("document__sha256", "ordinal"):
        rows.append(
            (
                speech.document.sha256,
                speech.document.status,
                speech.document.title,
                speech.document.report,
                speech.ordinal,
                speech.public_id,
                speech.title,
                speech.text,
                speech.original_text,
                speech.keywords,
                speech.signature,
                speech.year,
                speech.region,
                speech.duplicate_of.public_id if speech.duplicate_of else None,
                speech.duplicate_kind,
                sorted(speech.speechtopic_set.values_list("topic__slug", "score")),
                list(speech.sections.values_list("ordinal", "heading", "level", "text")),
            )
        )
    return rows


def test_ingest_on_two_processes_stores_what_one_process_stores(capsys, fresh_index, settings, tmp_path):
    from speeches.models import SpeechAlias

    settings.MEDIA_ROOT = str(tmp_path / "one")
    call_command("ingest", str(settings.SAMPLE_CORPUS_DIR / SMALL_SEEDS), "--no-progress", "--jobs", "1")
    one = archive_contents()
    Document.objects.all().delete()
    SpeechAlias.objects.all().delete()
    settings.MEDIA_ROOT = str(tmp_path / "two")  # no id history left beside the raw files
    call_command("ingest", str(settings.SAMPLE_CORPUS_DIR / SMALL_SEEDS), "--no-progress", "--jobs", "2")
    assert len(one) > 3 and archive_contents() == one
    out = capsys.readouterr().out
    assert sum(": ingested" in line for line in out.splitlines()) == 6


def test_ingest_reports_a_file_whose_storing_fails_goes_on_and_exits_with_an_error(
    capsys, fresh_index, fail_storing, settings, tmp_path
):
    from speeches.index_check import find_mismatches

    settings.MEDIA_ROOT = str(tmp_path)
    fail_storing()  # the first page's second speech
    with pytest.raises(CommandError, match="1 of 3 files failed"):
        call_command("ingest", str(settings.SAMPLE_CORPUS_DIR / SMALL_SEEDS), "--no-progress", "--jobs", "1")
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("000_e3c50620afa4a9e1.txt: failed — 0 speeches")
    assert "内部错误（internal error while storing）: OperationalError: deadlock detected" in lines[0]
    assert [line.split(": ")[0] for line in lines if ": ingested" in line] == [
        "001_1ede3f202e9dcf26.txt",
        "002_5507ae1777cd8619.txt",
    ]
    failed = Document.objects.get(original_name="000_e3c50620afa4a9e1.txt")
    assert failed.status == Document.Status.FAILED and not failed.speeches.exists()
    assert Document.objects.ingested().count() == 2 and find_mismatches() == []


def test_rebuild_from_raw_reports_a_file_whose_storing_fails_and_rebuilds_the_others(
    capsys, fresh_index, fail_storing, settings, tmp_path
):
    settings.MEDIA_ROOT = str(tmp_path)
    call_command("ingest", str(settings.SAMPLE_CORPUS_DIR / SMALL_SEEDS), "--no-progress", "--jobs", "1")
    Document.objects.all().delete()  # the database lost; the raw files kept
    capsys.readouterr()
    fail_storing()
    call_command("rebuild_from_raw")  # as for a file that does not parse: no error exit
    out = capsys.readouterr().out
    assert "000_e3c50620afa4a9e1.txt: failed — 0 speeches. 内部错误（internal error while storing）" in out
    assert "2 of 3 files rebuilt, 1 failed" in out
    assert Document.objects.get(original_name="000_e3c50620afa4a9e1.txt").status == Document.Status.FAILED
    assert Document.objects.ingested().count() == 2


def test_ingest_on_two_processes_starts_no_thread_so_its_workers_are_forked(
    monkeypatch, fresh_index, settings, tmp_path
):
    # A thread of the command's own (tqdm's monitor did) makes parse_many start fresh
    # interpreters, each loading every table again, instead of forking.
    from speeches.ingest import pipeline

    settings.MEDIA_ROOT = str(tmp_path)
    threads_at_start = []
    real_pool = pipeline.ProcessPoolExecutor

    def recording_pool(*args, **kwargs):
        threads_at_start.append(threading.active_count())
        return real_pool(*args, **kwargs)

    monkeypatch.setattr(pipeline, "ProcessPoolExecutor", recording_pool)
    before = threading.active_count()
    call_command("ingest", str(settings.SAMPLE_CORPUS_DIR / SMALL_SEEDS), "--jobs", "2")  # with its progress bar
    assert threads_at_start == [before]


def test_ingest_on_two_processes_parses_ahead_only_what_it_will_store(settings):
    from speeches.management.commands.ingest import to_parse_ahead

    files = sorted(settings.SAMPLE_CORPUS_DIR.glob(SMALL_SEEDS))
    call_command("ingest", str(files[2]), "--no-progress")
    assert to_parse_ahead(files, force=False) == files[:2]
    assert to_parse_ahead(files, force=True) == files
    assert to_parse_ahead([files[0], files[0]], force=False) == [files[0]]


def test_ingest_report_on_two_processes_prints_every_file_in_order_and_writes_nothing(capsys):
    call_command("ingest", str(settings.SAMPLE_CORPUS_DIR / "00[02]_*.txt"), "--report", "--jobs", "2")
    headers = [line for line in capsys.readouterr().out.splitlines() if line.startswith("== ")]
    assert [h.split(":")[0] for h in headers] == ["== 000_e3c50620afa4a9e1.txt", "== 002_5507ae1777cd8619.txt"]
    assert Document.objects.count() == 0


def test_ingest_parses_in_one_process_unless_there_is_enough_to_parse_for_workers_start_up():
    from speeches.management.commands.ingest import default_jobs

    assert default_jobs(sorted(settings.SAMPLE_CORPUS_DIR.glob("*.txt"))) == 1


@pytest.mark.skipif(not ON_POSTGRES, reason="needs PostgreSQL (SQLite takes its write lock at BEGIN)")
def test_two_files_with_the_same_speeches_loaded_at_once_are_one_original_and_its_copy(
    seed_bytes, fresh_index, monkeypatch
):
    # Two admins upload two scrapes of page 002 at once. Each load looked for the originals
    # of its speeches among the speeches others had committed: neither saw the other's,
    # and every speech was listed twice. The first load here pauses after writing its
    # speeches, before linking them, until the second has finished or waits for a lock.
    from django.db import connection

    from speeches import loading
    from speeches.ingest import parse_document

    raw = seed_bytes["002_5507ae1777cd8619.txt"]
    again = b"<p>spam line</p>\n" + raw
    parsed = {raw: parse_document(raw), again: parse_document(again)}
    paused, second_done, link = threading.Event(), threading.Event(), loading._link_duplicates

    def pausing_link(*args, **kwargs):
        if threading.current_thread().name == "first":
            paused.set()
            for _ in range(600):
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_stat_clear_snapshot()")  # else one view a transaction
                    cursor.execute(
                        "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                        " AND datname = current_database() AND pid <> pg_backend_pid()"
                    )
                    if cursor.fetchone()[0] or second_done.wait(0.05):
                        break
        return link(*args, **kwargs)

    monkeypatch.setattr(loading, "_link_duplicates", pausing_link)

    def load(data, name):
        try:
            loading.ingest_bytes(data, name, parsed=parsed[data])
        finally:
            connection.close()
            if name == "002-again.txt":
                second_done.set()

    first = threading.Thread(target=load, args=(raw, "002.txt"), name="first")
    first.start()
    assert paused.wait(30)
    second = threading.Thread(target=load, args=(again, "002-again.txt"), name="second")
    second.start()
    first.join(60)
    second.join(60)
    original = Document.objects.get(original_name="002.txt")
    copy = Document.objects.get(original_name="002-again.txt")
    assert not original.speeches.exclude(duplicate_of=None).exists()
    assert copy.speeches.filter(duplicate_of__document=original).count() == copy.speeches.count() == 3


@pytest.mark.skipif(not ON_POSTGRES, reason="needs PostgreSQL")
def test_an_upload_in_a_web_request_waits_a_while_for_another_load_then_is_queued(seed_bytes, monkeypatch):
    # A worker's load of a big file holds the archive; an admin's upload waited for it
    # without limit, past gunicorn's timeout.
    import psycopg2
    from django.db import connection

    from speeches import locks
    from speeches.loading import ingest_bytes

    monkeypatch.setattr(locks, "LOAD_WAIT_REQUEST", 0.5)
    other = psycopg2.connect(**connection.get_connection_params())
    try:
        other.cursor().execute("SELECT pg_advisory_lock(%s)", [locks._LOAD_LOCK])
        with locks.waiting_at_most(0.5):
            result = ingest_bytes(seed_bytes["002_5507ae1777cd8619.txt"], "002.txt")
    finally:
        other.close()
    assert result.status == "queued"
    assert Document.objects.get(pk=result.document_id).status == Document.Status.QUEUED
    assert not Speech.objects.exists()
