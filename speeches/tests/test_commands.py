"""manage.py ingest: files, folders and globs; --report writes nothing."""

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from speeches.models import Document, Speech

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


def test_ingest_report_prints_the_steps_and_writes_nothing(capsys):
    call_command("ingest", str(settings.SAMPLE_CORPUS_DIR / "002_5507ae1777cd8619.txt"), "--report")
    out = capsys.readouterr().out
    assert "pinyin" in out and "annotations_removed" in out and "3 speeches" in out
    assert Document.objects.count() == 0


def test_ingest_names_a_missing_path():
    with pytest.raises(CommandError, match="no such file"):
        call_command("ingest", "/nonexistent/page.txt")
