"""Opening uploaded zips safely: pure helpers, no database."""

import io
import zipfile

import pytest

from speeches import uploads
from speeches.uploads import expand_upload, safe_member_name

from .admin_helpers import zip_of

PAGE = "同志们：今天我们召开全市森林防火工作推进会。".encode()


def test_a_plain_file_is_one_piece_whatever_its_suffix():
    expansion = expand_upload("report.pdf", b"%PDF-1.4")
    assert [(p.name, p.raw, p.refusal) for p in expansion.pieces] == [("report.pdf", b"%PDF-1.4", "")]


def test_a_zip_gives_its_pages_named_after_the_zip_and_skips_other_files():
    raw = zip_of({"a/one.txt": PAGE, "two.HTML": PAGE, "photo.jpg": b"\xff\xd8\xff", "__MACOSX/._one.txt": b"x"})
    expansion = expand_upload("scrape.zip", raw)
    assert [p.name for p in expansion.pieces] == ["scrape.zip/a/one.txt", "scrape.zip/two.HTML", "scrape.zip"]
    assert [name for name, _ in expansion.skipped] == ["scrape.zip/photo.jpg"]
    # The zip itself is kept whole, with what was left in it: nothing uploaded is lost.
    kept = expansion.pieces[-1]
    assert kept.raw == raw and "scrape.zip/photo.jpg" in kept.refusal and "未入库" in kept.refusal


def test_a_page_whose_name_is_dots_before_its_suffix_is_read_as_a_page():
    # "....txt" was refused as having no extension (posixpath.splitext's reading of it).
    expansion = expand_upload("scrape.zip", zip_of({"....txt": PAGE, "a/..html": PAGE}))
    assert [p.name for p in expansion.pieces] == ["scrape.zip/....txt", "scrape.zip/a/..html"]
    assert not expansion.skipped


def test_a_nested_zip_is_skipped_not_expanded():
    raw = zip_of({"inner.zip": zip_of({"x.txt": PAGE}), "page.txt": PAGE})
    expansion = expand_upload("outer.zip", raw)
    assert [p.name for p in expansion.pieces] == ["outer.zip/page.txt", "outer.zip"]
    assert "nested zip" in expansion.skipped[0][1]


@pytest.mark.parametrize(
    "member, label",
    [("../../etc/passwd.txt", "etc/passwd.txt"), ("/abs/x.txt", "abs/x.txt"), ("C:\\a\\b.txt", "C:/a/b.txt")],
)
def test_member_paths_become_harmless_labels(member, label):
    assert safe_member_name(member) == label


def test_a_member_name_a_chinese_windows_tool_wrote_in_gbk_reads_as_written():
    # No UTF-8 flag: zipfile reads such a name as CP437 ("├√╫╓.txt" for 讲话.txt).
    gbk = "讲话.txt".encode("gbk")
    raw = zip_of({"abcd.txt": PAGE, "utf8名.txt": PAGE}).replace(b"abcd.txt", gbk)
    expansion = expand_upload("scrape.zip", raw)
    assert [p.name for p in expansion.pieces] == ["scrape.zip/讲话.txt", "scrape.zip/utf8名.txt"]


def test_a_truncated_zip_is_kept_whole_and_refused():
    whole = zip_of({"page.txt": PAGE * 200}, compression=zipfile.ZIP_STORED)
    raw = whole[: len(whole) // 2]
    expansion = expand_upload("cut.zip", raw)
    assert len(expansion.pieces) == 1 and expansion.pieces[0].raw == raw
    assert "truncated zip" in expansion.pieces[0].refusal


def test_a_zip_with_too_many_members_is_refused(monkeypatch):
    monkeypatch.setattr(uploads, "ZIP_MAX_MEMBERS", 3)
    raw = zip_of({f"{i}.txt": PAGE for i in range(4)})
    assert "too many files" in expand_upload("many.zip", raw).pieces[0].refusal


def test_a_zip_bomb_is_refused_without_inflating_it(monkeypatch, settings):
    # 40 MB of zeros deflate to ~40 kB; the budget stops reading long before the end.
    settings.INGEST_MAX_BYTES = 16 * 2**20
    monkeypatch.setattr(uploads, "ZIP_MAX_TOTAL_BYTES", 20 * 2**20)
    raw = zip_of({f"{i}.txt": bytes(12 * 2**20) for i in range(3)})
    assert len(raw) < 200_000
    assert "inflates too much" in expand_upload("bomb.zip", raw).pieces[0].refusal


def test_a_member_that_lies_about_its_size_makes_the_zip_refused_as_corrupt():
    # zipfile stops inflating at the declared size and then fails the CRC check.
    raw = bytearray(zip_of({"page.txt": PAGE * 100}))
    central = raw.find(b"PK\x01\x02")
    raw[central + 24 : central + 28] = (10).to_bytes(4, "little")  # "10 bytes uncompressed"
    [piece] = expand_upload("liar.zip", bytes(raw)).pieces
    assert "corrupt" in piece.refusal


def test_a_member_over_the_size_limit_is_skipped_and_the_others_kept(settings):
    settings.INGEST_MAX_BYTES = 1000
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("big.txt", PAGE * 100)
        archive.writestr("small.txt", PAGE)
    expansion = expand_upload("big.zip", buffer.getvalue())
    assert [p.name for p in expansion.pieces] == ["big.zip/small.txt", "big.zip"]
    assert "too large" in expansion.skipped[0][1]
    assert "超过 1000 字节" in expansion.skipped[0][1]  # under 1 MB it said "超过 0 MB"


def test_an_encrypted_member_is_skipped_with_a_reason():
    raw = bytearray(zip_of({"secret.txt": PAGE, "open.txt": PAGE}, compression=zipfile.ZIP_STORED))
    raw[6] |= 0x1  # the first local header's "encrypted" flag
    central = raw.find(b"PK\x01\x02")
    raw[central + 8] |= 0x1  # and the central directory's
    expansion = expand_upload("locked.zip", bytes(raw))
    assert [p.name for p in expansion.pieces] == ["locked.zip/open.txt", "locked.zip"]
    assert "encrypted" in expansion.skipped[0][1]


def test_a_zip_without_pages_is_kept_whole_and_refused():
    for raw in (zip_of({}), zip_of({"photo.jpg": b"\xff\xd8\xff"})):
        [piece] = expand_upload("none.zip", raw).pieces
        assert piece.raw == raw and "no pages in zip" in piece.refusal
    # Why no page was taken is said: a member too large, a nested zip.
    [piece] = expand_upload("nested.zip", zip_of({"inner.zip": zip_of({"x.txt": PAGE})})).pieces
    assert "nested.zip/inner.zip：不展开嵌套的压缩包" in piece.refusal


def test_an_office_document_is_not_opened_as_a_zip():
    docx = zip_of({"word/document.xml": b"<w:document/>"})
    assert expand_upload("speech.docx", docx).pieces[0].refusal == ""


def test_repairs_list_only_the_steps_that_changed_something_in_words():
    report = {
        "steps": [
            {"step": "decode", "counts": {"replaced_bytes": 12}},
            {"step": "mojibake", "counts": {"runs_found": 4, "runs_repaired": 3, "runs_marked": 1}},
            {"step": "markup", "counts": {"tags_removed": 0}},
            {"step": "clean", "counts": {"link-word": 2, "sentences_rejoined": 2}},
        ]
    }
    assert uploads.repairs_of(report) == [
        "解码：无法解码的字节 12 个，以〓标出",
        "乱码：发现乱码 4 段，修复 3 段，无法确定、以〓标出 1 段",
        "网站杂质：网站插入的链接词 2 个，接回被拆断的句子 2 处",
    ]


def test_the_report_shows_every_steps_warnings():
    # A UTF-8 page with bad bytes: the decode step's warning was stored but never shown.
    report = {
        "warnings": ["no speech found in this file"],
        "steps": [
            {"step": "decode", "warnings": ["27202 undecodable bytes replaced by 〓 in the utf-8 text, on lines 1, 2"]}
        ],
    }
    assert uploads.warnings_of(report) == [
        "no speech found in this file",
        "27202 undecodable bytes replaced by 〓 in the utf-8 text, on lines 1, 2",
    ]


@pytest.mark.django_db
def test_the_files_of_a_web_request_are_parsed_in_one_child_process_and_reported_at_once(settings, seed_bytes, caplog):
    import logging
    import os

    from speeches.models import Document

    settings.INGEST_INLINE_IN_CHILD = True
    settings.INGEST_INLINE_MAX_BYTES = 10 * 2**20  # both files within one request's budget
    with caplog.at_level(logging.INFO, logger="speeches.loading"):
        # Bytes of their own: the seeds themselves may already be in the test database.
        files = [
            (f"{name}-child.txt", seed_bytes[seed] + "\n（本页另存）\n".encode())
            for name, seed in (("002", "002_5507ae1777cd8619.txt"), ("003", "003_2b7a5b5f4b6eab26.txt"))
        ]
        reports = uploads.upload_files(files, user=None)
    assert [r["status"] for r in reports] == ["ingested", "ingested"]
    for report, (name, _) in zip(reports, files, strict=True):
        assert Document.objects.get(original_name=name).speeches.count() == len(report["speeches"])
    # Both files parsed in one child, which is not this process.
    pids = {r.child_pid for r in caplog.records if r.getMessage().startswith("parsed in child")}
    assert len(pids) == 1 and os.getpid() not in pids


def test_a_file_just_over_the_limit_is_said_to_be_so_in_bytes_not_as_two_equal_sizes(settings):
    from speeches.loading import too_large_reason

    settings.INGEST_MAX_BYTES = 16 * 2**20
    assert too_large_reason(16 * 2**20 + 10).startswith("文件过大：16,777,226 字节，上限 16,777,216 字节")
    assert too_large_reason(20 * 2**20).startswith("文件过大：20 MB，上限 16 MB")


def test_the_report_says_how_much_text_the_page_held_outside_every_speech():
    # Text after the site's footer is kept with the document and never searched: an admin
    # who appended a speech there was told nothing.
    from speeches.uploads import repairs_of

    report = {"steps": [{"step": "split", "counts": {"speeches": 3, "sections": 9, "trailer_lines": 12}}]}
    assert repairs_of(report) == ["分篇：页尾文字 12 行（不属任何一篇，不被检索）"]
    assert repairs_of({"steps": [{"step": "split", "counts": {"speeches": 3}}]}) == []


def test_a_member_name_a_taiwan_or_hong_kong_tool_wrote_in_big5_reads_as_written():
    # Read as GBK, 講話稿.txt was 量杠絑.txt, shown and stored as the file's name.
    big5, gbk = "講話稿.txt".encode("big5"), "讲话.txt".encode("gbk")
    raw = zip_of({"abcdefghij": PAGE, "wxyz.txt": PAGE}).replace(b"abcdefghij", big5).replace(b"wxyz.txt", gbk)
    expansion = expand_upload("scrape.zip", raw)
    assert [p.name for p in expansion.pieces] == ["scrape.zip/講話稿.txt", "scrape.zip/讲话.txt"]


@pytest.mark.django_db
@pytest.mark.usefixtures("empty_archive")
def test_every_page_of_an_upload_is_kept_before_any_is_parsed_so_a_request_killed_on_one_loses_none(
    seed_bytes, monkeypatch, django_user_model
):
    from speeches import loading
    from speeches.models import Document

    # gunicorn ends a worker past its timeout with SystemExit inside the request: the pages
    # after the one being parsed had never been stored.
    def killed(raw):
        raise SystemExit(1)

    monkeypatch.setattr(loading, "parse_document", killed)
    files = [(name, seed_bytes[name]) for name in sorted(seed_bytes)[:3]]
    with pytest.raises(SystemExit):
        uploads.upload_files(files, django_user_model.objects.create_user("editor"))
    kept = {d.original_name: bytes(d.raw) for d in Document.objects.all()}
    assert kept == dict(files)
    assert set(Document.objects.values_list("status", flat=True)) == {Document.Status.PENDING}


# A page of a shape the pipeline is slow on (a mark at every other character, each a
# damaged run to weigh): an audit's hostile pages of this kind parsed for minutes, past
# gunicorn's timeout, and blocked the upload queue for hours.
SLOW_PAGE = ("在全县工作会议上的讲话\n同志们：\n" + "中?" * 40_000 + "\n").encode()


@pytest.mark.django_db
def test_a_parse_that_outlasts_the_requests_time_is_ended_and_the_file_left_to_the_worker(settings):
    import multiprocessing

    from speeches.models import Document

    # It parsed past gunicorn's timeout: the web worker killed, a 502, no report.
    settings.INGEST_INLINE_IN_CHILD = True
    settings.INGEST_INLINE_MAX_BYTES = 10 * 2**20
    settings.INGEST_INLINE_SECONDS = 8
    [report] = uploads.upload_files([("slow.txt", SLOW_PAGE)], user=None)
    document = Document.objects.get(original_name="slow.txt")
    assert report["status"] == "queued" and document.status == Document.Status.QUEUED
    assert bytes(document.raw) == SLOW_PAGE
    assert not multiprocessing.active_children()  # the child that parsed it is gone


@pytest.mark.django_db
def test_files_after_the_requests_time_is_spent_are_queued_for_the_worker(settings, seed_bytes):
    from speeches.models import Document

    settings.INGEST_INLINE_MAX_BYTES = 10 * 2**20
    settings.INGEST_INLINE_SECONDS = 0
    files = [("late-002.txt", seed_bytes["002_5507ae1777cd8619.txt"] + "\n（另存）\n".encode())]
    assert [r["status"] for r in uploads.upload_files(files, user=None)] == ["queued"]
    assert Document.objects.get(original_name="late-002.txt").status == Document.Status.QUEUED


@pytest.mark.django_db
def test_an_uploads_files_are_read_one_at_a_time_each_stored_before_the_next_is_read(settings, seed_bytes):
    from speeches.models import Document

    # Every file and every page of every zip was held at once: a request of zips that
    # inflate to 60 MB each grew the web worker by 60 MB a zip.
    settings.INGEST_INLINE_MAX_BYTES = 10 * 2**20
    pages = {
        "first.zip": zip_of({"a.txt": seed_bytes["002_5507ae1777cd8619.txt"] + "\n（甲）\n".encode()}),
        "second.txt": seed_bytes["002_5507ae1777cd8619.txt"] + "\n（乙）\n".encode(),
    }
    stored_when_read = []
    before = set(Document.objects.values_list("original_name", flat=True))  # other tests' documents

    def files():
        for name, raw in pages.items():
            stored_when_read.append(sorted(set(Document.objects.values_list("original_name", flat=True)) - before))
            yield name, raw

    reports = uploads.upload_files(files(), user=None)
    assert stored_when_read == [[], ["first.zip/a.txt"]]
    assert [r["status"] for r in reports] == ["ingested", "ingested"]
