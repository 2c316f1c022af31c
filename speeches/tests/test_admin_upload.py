"""The admin upload page, driven through Django's test client as a staff user.

Every failure case checks that the database's speeches and the search index are
exactly as before, and that the uploaded bytes are nonetheless kept.
"""

import hashlib
import random

import pytest

from speeches.indexing import indexed_count
from speeches.ingest.script import to_simplified
from speeches.models import Document, Speech

from .admin_helpers import UPLOAD_URL, make_staff, reports_of, upload, zip_of

SEED_002 = "002_5507ae1777cd8619.txt"


@pytest.fixture
def staff_client(client, django_user_model):
    client.force_login(make_staff(django_user_model))
    return client


@pytest.fixture
def inline_everything(settings):
    """The five seeds (1.4 MB) exceed one request's default inline budget; these tests are
    about ingesting inline, and queueing has its own tests below."""
    settings.INGEST_INLINE_MAX_BYTES = 8 * 1024 * 1024


def high_bytes(size: int) -> bytes:
    rng = random.Random(7)
    return bytes(rng.randrange(0x80, 0x100) for _ in range(size))


def counts():
    return Speech.objects.count(), indexed_count()


@pytest.mark.django_db
@pytest.mark.usefixtures("empty_archive", "fresh_index", "inline_everything")
def test_the_five_seed_pages_uploaded_at_once_become_five_ingested_documents(
    staff_client, seed_bytes, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(staff_client, *seed_bytes.items())
    assert response.status_code == 200
    reports = reports_of(response)
    assert set(reports) == set(seed_bytes)
    for name, raw in seed_bytes.items():
        document = Document.objects.get(original_name=name)
        assert document.status == Document.Status.INGESTED and bytes(document.raw) == raw
        assert reports[name]["status"] == "ingested"
        assert reports[name]["speech_count"] == document.speeches.count() > 0
    html = response.content.decode()
    for speech in Speech.objects.all():
        assert f'href="{speech.get_absolute_url()}"' in html
    assert indexed_count() == Speech.objects.count()


@pytest.mark.django_db
@pytest.mark.usefixtures("empty_archive", "fresh_index", "inline_everything")
def test_a_zip_of_the_five_seed_pages_is_ingested_page_by_page_and_a_second_upload_creates_nothing(
    staff_client, seed_bytes, django_capture_on_commit_callbacks
):
    archive = zip_of({f"scrape/{name}": raw for name, raw in seed_bytes.items()})
    with django_capture_on_commit_callbacks(execute=True):
        first = upload(staff_client, ("scrape.zip", archive))
    assert {r["status"] for r in first.context["reports"]} == {"ingested"}
    assert Document.objects.ingested().count() == 5
    assert Document.objects.filter(original_name=f"scrape.zip/scrape/{SEED_002}").exists()
    before = counts()
    with django_capture_on_commit_callbacks(execute=True):
        second = upload(staff_client, ("again.zip", archive))
    assert [r["status"] for r in second.context["reports"]] == ["unchanged"] * 5
    assert "已在档案中" in second.content.decode()
    assert Document.objects.count() == 5 and counts() == before == (before[0], before[0])


@pytest.mark.django_db
@pytest.mark.usefixtures("corpus")
def test_the_same_bytes_uploaded_again_say_already_in_the_archive_and_create_nothing(staff_client, seed_bytes):
    documents = Document.objects.count()
    response = upload(staff_client, ("renamed.txt", seed_bytes[SEED_002]))
    report = reports_of(response)["renamed.txt"]
    assert report["status"] == "unchanged" and "already in the archive" in report["message"]
    assert Document.objects.count() == documents


@pytest.mark.django_db
@pytest.mark.usefixtures("corpus")
def test_a_changed_version_of_a_known_page_is_a_new_document_with_its_speeches_linked_as_duplicates(
    staff_client, seed_bytes
):
    changed = "<p>重新抓取于 2026-11-20</p>\n".encode() + seed_bytes[SEED_002]
    response = upload(staff_client, ("002-rescraped.html", changed))
    report = reports_of(response)["002-rescraped.html"]
    assert report["status"] == "ingested"
    document = Document.objects.get(original_name="002-rescraped.html")
    original = Document.objects.get(original_name=SEED_002)
    speeches = list(document.speeches.all())
    assert speeches and all(s.duplicate_of and s.duplicate_of.document_id == original.pk for s in speeches)
    assert report["duplicates"] == len(speeches)
    assert "重复" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.usefixtures("empty_archive")
@pytest.mark.parametrize(
    "codec, family, script",
    [("gbk", {"gbk", "gb2312", "gb18030"}, to_simplified), ("big5", {"big5", "big5hkscs", "cp950"}, str)],
)
def test_a_page_saved_in_a_legacy_chinese_encoding_is_decoded_and_ingested(
    staff_client, seed_bytes, codec, family, script
):
    # A real seed page, simplified for GBK and traditional (as scraped) for Big5;
    # characters the legacy encoding lacks (pinyin tone letters) are dropped.
    text = script(seed_bytes[SEED_002].decode("utf-8"))
    raw = text.encode(codec, errors="ignore")
    response = upload(staff_client, (f"002-{codec}.txt", raw))
    report = reports_of(response)[f"002-{codec}.txt"]
    assert report["status"] == "ingested", report["message"]
    document = Document.objects.get(original_name=f"002-{codec}.txt")
    assert document.encoding.lower().replace("-", "") in family
    assert document.speeches.count() >= 1
    assert "部署" in document.speeches.first().text


def pdf_bytes():
    return b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n" * 20


def truncated_zip(seed_bytes):
    return zip_of({SEED_002: seed_bytes[SEED_002]})[:5000]


@pytest.mark.django_db
@pytest.mark.usefixtures("corpus")
@pytest.mark.parametrize(
    "name, make, reason",
    [
        ("empty.txt", lambda seeds: b"", "empty file"),
        ("report.pdf", lambda seeds: pdf_bytes(), "PDF"),
        ("scan.png", lambda seeds: b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8, "PNG"),
        ("noise.txt", lambda seeds: random.Random(7).randbytes(8192), "binary"),
        # No NUL byte, no magic number: only what the characters are tells this from text.
        ("high.txt", lambda seeds: high_bytes(65536), "not text"),
        ("cut.zip", truncated_zip, "truncated zip"),
    ],
)
def test_a_file_that_is_not_a_page_is_kept_as_failed_with_its_reason_and_changes_nothing_else(
    staff_client, seed_bytes, django_capture_on_commit_callbacks, name, make, reason
):
    raw = make(seed_bytes)
    before = counts()
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(staff_client, (name, raw))
    report = reports_of(response)[name]
    assert report["status"] == "failed" and reason.lower() in report["message"].lower()
    document = Document.objects.get(original_name=name)
    assert document.status == Document.Status.FAILED and bytes(document.raw) == raw
    assert reason.lower() in document.error.lower()
    assert counts() == before
    assert "失败" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.usefixtures("corpus", "inline_everything")
def test_a_file_whose_storing_fails_after_parsing_is_kept_as_failed_and_the_page_says_why(
    staff_client, seed_bytes, fail_storing, django_capture_on_commit_callbacks
):
    raw = seed_bytes[SEED_002] + "\n（另一版本）\n".encode()
    before = counts()
    fail_storing()
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(staff_client, ("edited.txt", raw))
    assert response.status_code == 200
    report = reports_of(response)["edited.txt"]
    assert report["status"] == "failed" and "内部错误" in report["message"] and "OperationalError" in report["message"]
    document = Document.objects.get(original_name="edited.txt")
    assert document.status == Document.Status.FAILED and document.error == report["message"]
    assert bytes(document.raw) == raw and counts() == before
    html = response.content.decode()
    assert "失败" in html and "deadlock detected" in html


@pytest.mark.django_db
@pytest.mark.usefixtures("corpus")
def test_a_20_mb_file_is_kept_and_refused_as_too_large(staff_client, seed_bytes, django_capture_on_commit_callbacks):
    raw = seed_bytes[SEED_002] * (20 * 2**20 // len(seed_bytes[SEED_002]) + 1)
    assert len(raw) > 20 * 2**20
    before = counts()
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(staff_client, ("huge.txt", raw))
    report = reports_of(response)["huge.txt"]
    assert report["status"] == "failed" and "file too large" in report["message"]
    document = Document.objects.get(original_name="huge.txt")
    assert document.status == Document.Status.FAILED and document.size == len(raw)
    assert counts() == before


@pytest.mark.django_db
@pytest.mark.usefixtures("empty_archive")
def test_a_file_above_the_inline_limit_is_queued_and_shown_as_queued(staff_client, seed_bytes, settings):
    settings.INGEST_INLINE_MAX_BYTES = 10_000
    response = upload(staff_client, ("big.txt", seed_bytes[SEED_002]))
    assert reports_of(response)["big.txt"]["status"] == "queued"
    assert Document.objects.get(original_name="big.txt").status == Document.Status.QUEUED
    assert Speech.objects.count() == 0
    listing = staff_client.get("/admin/speeches/document/?status__exact=queued")
    assert "big.txt" in listing.content.decode()
    # The report says what takes a queued file, and counts no speeches it does not have yet.
    html = response.content.decode()
    assert "manage.py process_uploads" in html and "讲话 0 篇" not in html


@pytest.mark.django_db
@pytest.mark.usefixtures("empty_archive")
def test_a_documents_page_shows_its_upload_in_its_history_links_its_bytes_and_saves_nothing(staff_client, seed_bytes):
    upload(staff_client, ("002.txt", seed_bytes[SEED_002]))
    document = Document.objects.get(original_name="002.txt")
    page = staff_client.get(f"/admin/speeches/document/{document.pk}/change/").content.decode()
    assert f"/documents/{document.pk}/raw/" in page and 'name="_save"' not in page
    assert 'name="title"' not in page  # read-only: shown, not a form field
    history = staff_client.get(f"/admin/speeches/document/{document.pk}/history/").content.decode()
    assert "上传 002.txt" in history


@pytest.mark.django_db
@pytest.mark.usefixtures("empty_archive")
def test_files_past_the_inline_budget_of_one_request_are_queued(staff_client, seed_bytes, settings):
    first = seed_bytes[SEED_002]
    second = "<p>另一版本</p>\n".encode() + first
    settings.INGEST_INLINE_MAX_BYTES = len(first) + 1000
    reports = reports_of(upload(staff_client, ("first.txt", first), ("second.txt", second)))
    assert reports["first.txt"]["status"] == "ingested"
    assert reports["second.txt"]["status"] == "queued"


@pytest.mark.django_db
def test_the_upload_page_needs_at_least_one_file(staff_client):
    before = Document.objects.count()
    response = staff_client.post(UPLOAD_URL, {})
    assert response.status_code == 200 and "files" in response.context["form"].errors
    assert Document.objects.count() == before


@pytest.mark.django_db
def test_anonymous_and_non_staff_users_are_sent_to_the_login_page_and_cannot_upload(client, django_user_model):
    for user in (None, django_user_model.objects.create_user("reader", password="pw-for-tests-only")):
        if user:
            client.force_login(user)
        assert client.get(UPLOAD_URL).status_code == 302
        response = upload(client, ("page.txt", "同志们：今天开会。".encode()))
        assert response.status_code == 302 and "/admin/login/" in response["Location"]
    assert not Document.objects.filter(original_name="page.txt").exists()


@pytest.mark.django_db
def test_a_staff_user_without_document_permissions_is_refused(client, django_user_model):
    client.force_login(django_user_model.objects.create_user("guest", password="pw-for-tests-only", is_staff=True))
    assert client.get(UPLOAD_URL).status_code == 403
    assert upload(client, ("page.txt", "同志们：".encode())).status_code == 403
    assert not Document.objects.filter(original_name="page.txt").exists()


@pytest.mark.django_db
def test_the_upload_page_states_the_inline_limit_as_configured(staff_client, settings):
    # A 512 KiB limit once printed as "大于 0 MB" through floatformat:0.
    settings.INGEST_INLINE_MAX_BYTES = 512 * 1024
    html = staff_client.get(UPLOAD_URL).content.decode()
    assert "合计超过 0.5 MB" in html and "0 MB 的文件" not in html and "process_uploads" in html


@pytest.mark.django_db
@pytest.mark.usefixtures("empty_archive")
def test_a_utf8_page_with_five_percent_broken_bytes_is_ingested_as_utf8_and_its_report_says_how_many_and_where(
    staff_client, seed_bytes
):
    raw = bytearray(seed_bytes[SEED_002])
    rng = random.Random(20)
    spots = sorted(rng.sample(range(len(raw)), len(raw) // 20))
    for spot in spots:
        raw[spot] = 0xFF  # never part of UTF-8
    first_line = bytes(raw[: spots[0]]).count(b"\n") + 1
    response = upload(staff_client, ("002-damaged.txt", bytes(raw)))
    assert reports_of(response)["002-damaged.txt"]["status"] == "ingested"
    document = Document.objects.get(original_name="002-damaged.txt")
    assert document.encoding == "utf-8"
    decode = next(step for step in document.report["steps"] if step["step"] == "decode")
    (warning,) = decode["warnings"]
    assert f"有 {decode['counts']['replaced_bytes']} 个字节无法解码，以 " in warning
    assert decode["counts"]["replaced_bytes"] >= len(spots) and f"on lines {first_line}, " in warning
    # One mark for each broken character: no more than the bytes broken.
    assert int(warning.split("以 ")[1].split(" 个〓")[0]) <= len(spots)
    # The upload's report shows it, where the admin reads it (it was stored, never shown).
    assert warning in reports_of(response)["002-damaged.txt"]["warnings"]
    assert warning in response.content.decode()
    assert "部署" in "".join(speech.text for speech in document.speeches.all())


@pytest.mark.django_db
@pytest.mark.usefixtures("corpus")
def test_a_report_says_already_in_the_archive_once(staff_client, seed_bytes):
    name = Document.objects.get(sha256=sha256_of(seed_bytes[SEED_002])).original_name
    html = upload(staff_client, (name, seed_bytes[SEED_002])).content.decode()
    assert html.count("已在档案中（already in the archive）") == 1
    # The bytes under another name: the report names the document's own, which it keeps.
    html = upload(staff_client, ("again.txt", seed_bytes[SEED_002])).content.decode()
    assert f"已在档案中，文件名为“{name}”" in html


@pytest.mark.django_db
@pytest.mark.usefixtures("empty_archive")
def test_a_file_without_a_speech_gives_its_reason_once_not_again_as_a_warning(staff_client):
    report = reports_of(upload(staff_client, ("menu.txt", "首页\n上一页\n下一页\n".encode())))["menu.txt"]
    assert report["status"] == "failed" and "未找到讲话" in report["message"]
    assert not any("未找到讲话" in warning for warning in report["warnings"])


@pytest.mark.django_db
@pytest.mark.usefixtures("empty_archive", "inline_everything")
def test_the_summary_says_how_many_of_the_speeches_ingested_are_copies(staff_client, seed_bytes):
    # 003 repeats itself: its second half is twenty copies of its first.
    response = upload(staff_client, ("003.txt", seed_bytes["003_2b7a5b5f4b6eab26.txt"]))
    report = reports_of(response)["003.txt"]
    assert report["duplicates"] >= 20
    summary = f"入库 1（{report['speech_count']} 篇讲话，其中重复 {report['duplicates']} 篇）"
    assert summary in response.content.decode()


@pytest.mark.django_db
@pytest.mark.usefixtures("corpus")
def test_the_document_list_gives_a_small_file_in_bytes_and_marks_a_cut_reason(staff_client):
    upload(staff_client, ("tiny.txt", b"\xff\xfe\xfd" * 163))
    html = staff_client.get("/admin/speeches/document/").content.decode()
    assert "489 字节" in html and "0 KB" not in html
    document = Document.objects.get(original_name="tiny.txt")
    assert len(document.error) > 80 and document.error[:79] + "…" in html  # the garbage refusal, 112 characters


@pytest.mark.django_db
@pytest.mark.usefixtures("corpus")
def test_a_word_document_is_refused_in_chinese_with_what_to_do(staff_client):
    report = reports_of(upload(staff_client, ("speech.docx", b"PK\x03\x04" + bytes(300))))["speech.docx"]
    assert report["status"] == "failed"
    assert "Office 文档" in report["message"] and "另存为 .txt" in report["message"]


def sha256_of(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


@pytest.mark.django_db
def test_a_folder_of_more_than_a_hundred_pages_is_taken_in_one_upload_and_the_form_states_the_limit(
    staff_client, settings
):
    # Django's default (100) refused 101 files whole with a bare 400, keeping none.
    files = [(f"page{n}.txt", f"第{n}页".encode()) for n in range(101)]
    before = Document.objects.count()
    response = upload(staff_client, *files)
    assert response.status_code == 200 and len(response.context["reports"]) == 101
    assert Document.objects.count() - before == 101  # each kept, refused or not
    page = staff_client.get(UPLOAD_URL).content.decode()
    assert f"一次最多 {settings.DATA_UPLOAD_MAX_NUMBER_FILES} 个文件" in page


@pytest.mark.django_db
@pytest.mark.usefixtures("empty_archive", "fresh_index")
def test_a_zip_kept_whole_for_a_file_it_left_out_is_reported_kept_not_failed(staff_client, seed_bytes):
    # Its page went in; the zip, kept for its PNG, was counted 失败 beside it.
    from speeches.tests.admin_helpers import zip_of

    raw = zip_of({"page.txt": seed_bytes[SEED_002], "photo.png": b"\x89PNG\r\n\x1a\n"})
    response = upload(staff_client, ("bundle.zip", raw))
    reports = reports_of(response)
    assert reports["bundle.zip/page.txt"]["status"] == "ingested"
    assert reports["bundle.zip"]["status"] == "kept" and "photo.png" in reports["bundle.zip"]["message"]
    summary = [str(m) for m in response.context["messages"]][0]
    assert "失败 0" in summary and "原样保存的压缩包 1" in summary


@pytest.mark.django_db
@pytest.mark.usefixtures("empty_archive", "fresh_index", "inline_everything", "whoosh_engine")
def test_an_index_that_fails_to_write_leaves_every_file_of_the_upload_stored_reported_and_marked_for_the_worker(
    staff_client, seed_bytes, monkeypatch, django_capture_on_commit_callbacks
):
    # A full disk or a read-only index folder, for the first file only: raised after
    # the commit, it was a server error with no report, and the second file was never stored.
    from io import StringIO

    from django.core.management import call_command

    from speeches.index_check import PENDING_MARK
    from speeches.search.whoosh.backend import ChineseWhooshSearchBackend

    writes = []
    replace_document = ChineseWhooshSearchBackend.replace_document

    def full_disk_once(self, *args, **kwargs):
        writes.append(args[1])
        if len(writes) == 1:
            raise OSError(28, "No space left on device")
        return replace_document(self, *args, **kwargs)

    monkeypatch.setattr(ChineseWhooshSearchBackend, "replace_document", full_disk_once)
    first, second = "001_1ede3f202e9dcf26.txt", SEED_002
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(staff_client, (first, seed_bytes[first]), (second, seed_bytes[second]))
    assert response.status_code == 200
    reports = reports_of(response)
    assert reports[first]["status"] == reports[second]["status"] == "ingested"
    failed, fine = Document.objects.get(original_name=first), Document.objects.get(original_name=second)
    assert failed.error.startswith(PENDING_MARK) and "No space left on device" in failed.error
    assert fine.error == "" and indexed_count() == fine.speeches.count() > 0
    call_command("process_uploads", stdout=StringIO())
    failed.refresh_from_db()
    assert failed.error == "" and indexed_count() == Speech.objects.count()


def test_more_files_than_a_request_may_carry_are_refused_with_the_limit_named(settings, db):
    from django.test import Client

    # Django drops such a form whole, its CSRF token too: a browser got 403 "CSRF token
    # missing", the test client (no CSRF checks) Django's generic 400 page.
    settings.DATA_UPLOAD_MAX_NUMBER_FILES = 3
    browser = Client(enforce_csrf_checks=True)
    response = upload(browser, *((f"page{n}.txt", f"第{n}页".encode()) for n in range(4)))
    assert response.status_code == 400
    assert "一次最多上传 3 个文件" in response.content.decode()
    assert not Document.objects.filter(original_name__startswith="page").exists()
