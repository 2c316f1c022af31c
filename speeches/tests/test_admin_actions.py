"""Document admin actions (re-ingest, re-index, delete) and the read-only pipeline admins."""

import re

import pytest

from speeches.indexing import indexed_count
from speeches.loading import ingest_bytes
from speeches.models import Document, Section, Speech, Topic

from .admin_helpers import changelist_url, make_staff

SEED_002 = "002_5507ae1777cd8619.txt"


@pytest.fixture
def staff_client(client, django_user_model):
    client.force_login(make_staff(django_user_model))
    return client


def ingest_002(seed_bytes) -> Document:
    return Document.objects.get(pk=ingest_bytes(seed_bytes[SEED_002], "002.txt").document_id)


def act(client, action, *documents, **extra):
    """The action chosen and confirmed (post=yes, as on its confirmation page)."""
    data = {"action": action, "_selected_action": [d.pk for d in documents], "post": "yes", **extra}
    return client.post(changelist_url(), data, follow=True)


@pytest.mark.django_db
@pytest.mark.usefixtures("empty_archive", "fresh_index")
def test_reingest_keeps_every_permanent_id_and_the_index_count(
    staff_client, seed_bytes, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        document = ingest_002(seed_bytes)
    ids = dict(document.speeches.values_list("ordinal", "public_id"))
    with django_capture_on_commit_callbacks(execute=True):
        response = act(staff_client, "reingest", document)
    assert "入库 1" in response.content.decode()
    assert dict(document.speeches.values_list("ordinal", "public_id")) == ids
    assert indexed_count() == len(ids)


@pytest.mark.django_db
@pytest.mark.usefixtures("empty_archive", "fresh_index")
def test_a_reingest_from_the_admin_parses_in_a_child_process_as_an_upload_does(
    staff_client, seed_bytes, settings, caplog, django_capture_on_commit_callbacks
):
    import logging
    import os

    settings.INGEST_INLINE_IN_CHILD = True
    with django_capture_on_commit_callbacks(execute=True):
        document = ingest_002(seed_bytes)
    with caplog.at_level(logging.INFO, logger="speeches.loading"):
        with django_capture_on_commit_callbacks(execute=True):
            response = act(staff_client, "reingest", document)
    assert "入库 1" in response.content.decode()
    pids = {r.child_pid for r in caplog.records if r.getMessage().startswith("parsed in child")}
    assert len(pids) == 1 and os.getpid() not in pids


@pytest.mark.django_db
@pytest.mark.usefixtures("empty_archive", "fresh_index")
@pytest.mark.parametrize("action", ["reingest", "reindex"])
def test_an_action_asks_first_and_does_nothing_until_confirmed(staff_client, seed_bytes, action):
    document = ingest_002(seed_bytes)
    parsed_at = document.ingested_at
    response = act(staff_client, action, document, post="")
    html = response.content.decode()
    assert response.status_code == 200 and 'name="post" value="yes"' in html and str(document) in html
    assert f'name="_selected_action" value="{document.pk}"' in html
    document.refresh_from_db()
    assert document.ingested_at == parsed_at


def thousand_and_one_failed_files() -> list[int]:
    """More files than a request may carry ids of (1,000 fields); the numbers on the
    list's first page, as the admin's checkboxes send them."""
    Document.objects.bulk_create(
        Document(original_name=f"f{n}.txt", sha256=f"{n:064x}", raw=b"", status="failed") for n in range(1001)
    )
    return list(Document.objects.values_list("pk", flat=True)[:100])


@pytest.mark.django_db
@pytest.mark.usefixtures("empty_archive", "fresh_index")
def test_an_action_on_all_files_across_the_lists_pages_is_confirmed_as_all_not_an_id_each(staff_client):
    # An id each was more fields than a request may carry: the confirmation answered 400.
    first_page = thousand_and_one_failed_files()
    data = {"action": "reindex", "select_across": "1", "index": "0", "_selected_action": first_page}
    asked = staff_client.post(changelist_url(), data)
    html = asked.content.decode()
    assert asked.status_code == 200 and 'name="select_across" value="1"' in html and "另有 951 个文件" in html
    assert html.count('name="_selected_action"') == 1
    fields = dict(re.findall(r'<input type="hidden" name="([a-z_]+)" value="([^"]*)"', html))
    done = staff_client.post(changelist_url(), fields, follow=True)
    assert done.status_code == 200 and "1001 个文件未入库" in done.content.decode()


@pytest.mark.django_db
@pytest.mark.usefixtures("empty_archive", "fresh_index")
def test_deleting_all_files_across_the_lists_pages_is_no_bad_request(staff_client):
    # Django's own confirmation posts an id per file: past 1000 fields, a 400.
    first_page = thousand_and_one_failed_files()
    data = {"action": "delete_selected", "select_across": "1", "index": "0", "_selected_action": first_page}
    html = staff_client.post(changelist_url(), data).content.decode()
    ids = re.findall(r'name="_selected_action" value="([^"]*)"', html)
    done = staff_client.post(changelist_url(), {"action": "delete_selected", "post": "yes", "_selected_action": ids})
    assert len(ids) == 1001 and done.status_code == 302 and not Document.objects.exists()


@pytest.mark.django_db
@pytest.mark.usefixtures("empty_archive", "fresh_index")
def test_a_reingest_of_a_kept_zip_parses_its_pages_again(staff_client, seed_bytes, django_capture_on_commit_callbacks):
    # A zip is kept whole when it left files out (here a PNG); its page is a document of its
    # own. Re-ingesting the zip said the page was 已在档案中 and parsed nothing.
    from speeches.tests.admin_helpers import upload, zip_of

    raw = zip_of({"page.txt": seed_bytes[SEED_002], "photo.png": b"\x89PNG\r\n\x1a\n"})
    with django_capture_on_commit_callbacks(execute=True):
        upload(staff_client, ("bundle.zip", raw))
    page = Document.objects.get(original_name="bundle.zip/page.txt")
    parsed_at = page.ingested_at
    with django_capture_on_commit_callbacks(execute=True):
        response = act(staff_client, "reingest", Document.objects.get(original_name="bundle.zip"))
    page.refresh_from_db()
    assert page.status == Document.Status.INGESTED and page.ingested_at > parsed_at
    # The files it left out are named again, as a warning: the zip is kept, not failed.
    said = [(m.level_tag, str(m)) for m in response.context["messages"]]
    assert any(level == "warning" and "photo.png" in text for level, text in said), said


@pytest.mark.django_db
@pytest.mark.usefixtures("empty_archive", "fresh_index")
def test_kept_zips_reingested_together_share_the_actions_time_and_bytes(
    staff_client, seed_bytes, monkeypatch, django_capture_on_commit_callbacks
):
    import time

    from django.conf import settings

    from speeches import admin as speeches_admin
    from speeches.tests.admin_helpers import upload, zip_of

    # Each kept zip had a request's allowance of its own: three outlasted gunicorn's 120 s.
    for name in ("one.zip", "two.zip"):
        raw = zip_of({f"{name}.txt": seed_bytes[SEED_002] + name.encode(), "photo.png": b"\x89PNG\r\n\x1a\n"})
        with django_capture_on_commit_callbacks(execute=True):
            upload(staff_client, (name, raw))
    upload_files, allowances = speeches_admin.upload_files, []

    def spied(files, user, force=False, allowance=None, parser=None):
        allowances.append((allowance, allowance.budget))
        return upload_files(files, user, force=force, allowance=allowance, parser=parser)

    monkeypatch.setattr(speeches_admin, "upload_files", spied)
    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        act(staff_client, "reingest", *Document.objects.filter(original_name__in=["one.zip", "two.zip"]))
    (first, budget_before), (second, budget_after) = allowances
    assert first is second and first.deadline <= started + settings.INGEST_INLINE_SECONDS + 1
    # The first zip's page, parsed here, was charged to the second's bytes.
    assert budget_after == budget_before - len(seed_bytes[SEED_002] + b"one.zip")


@pytest.mark.django_db
@pytest.mark.usefixtures("empty_archive")
def test_a_failed_upload_can_be_retried_after_the_cause_is_fixed(
    staff_client, seed_bytes, settings, django_capture_on_commit_callbacks
):
    settings.INGEST_MAX_BYTES = 1000
    document = ingest_002(seed_bytes)
    assert document.status == Document.Status.FAILED and "too large" in document.error
    settings.INGEST_MAX_BYTES = 16 * 2**20  # the "fix": a limit that fits the page
    # The index is written after the commit (the test's transaction never commits).
    with django_capture_on_commit_callbacks(execute=True):
        act(staff_client, "reingest", document)
    document.refresh_from_db()
    assert document.status == Document.Status.INGESTED and document.error == ""
    assert document.speeches.exists()


@pytest.mark.django_db
@pytest.mark.usefixtures("empty_archive", "fresh_index")
def test_a_reingest_whose_storing_fails_says_why_and_leaves_the_document_as_it_was(
    staff_client, seed_bytes, fail_storing, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        document = ingest_002(seed_bytes)
    speeches = sorted(document.speeches.values_list("pk", "public_id", "text"))
    fail_storing()
    with django_capture_on_commit_callbacks(execute=True):
        response = act(staff_client, "reingest", document)
    assert response.status_code == 200
    html = response.content.decode()
    assert "失败 1" in html and "文件 002.txt：内部错误（internal error while storing）: OperationalError" in html
    document.refresh_from_db()
    assert document.status == Document.Status.INGESTED and "deadlock detected" in document.error
    assert sorted(document.speeches.values_list("pk", "public_id", "text")) == speeches
    assert indexed_count() == len(speeches)


@pytest.mark.django_db
@pytest.mark.usefixtures("whoosh_engine", "empty_archive", "fresh_index")
def test_reindex_puts_a_documents_speeches_into_an_index_that_lacks_them(staff_client, seed_bytes):
    # Inside a test transaction the loader's after-commit indexing never runs: the index stays empty.
    document = ingest_002(seed_bytes)
    assert indexed_count() == 0
    response = act(staff_client, "reindex", document)
    assert "已重建索引" in response.content.decode()
    assert indexed_count() == document.speeches.count() > 0
    # A file that never parsed has nothing to index, and the message says it was skipped.
    failed = Document.objects.get(pk=ingest_bytes(b"\x89PNG\r\n\x1a\n" + bytes(64), "x.png").document_id)
    assert "1 个文件未入库" in act(staff_client, "reindex", failed).content.decode()


@pytest.mark.django_db
@pytest.mark.usefixtures("empty_archive", "fresh_index")
def test_deleting_a_document_removes_its_speeches_from_the_database_and_the_index(
    staff_client, seed_bytes, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        document = ingest_002(seed_bytes)
    assert indexed_count() > 0
    # The confirmation says what goes and what becomes of the links, in a few lines.
    html = act(staff_client, "delete_selected", document, post="").content.decode()
    assert f"{document}：讲话 {document.speeches.count()} 篇" in html and "（410）" in html
    assert "object (" not in html and html.count("<li>") < 30
    with django_capture_on_commit_callbacks(execute=True):
        act(staff_client, "delete_selected", document, post="yes")
    assert not Document.objects.exists() and not Speech.objects.exists()
    assert indexed_count() == 0


@pytest.mark.django_db
@pytest.mark.usefixtures("corpus")
def test_the_document_list_shows_status_speech_count_encoding_and_uploader_and_filters_by_status(staff_client):
    failed = Document.objects.get(pk=ingest_bytes(b"", "empty.txt").document_id)
    html = staff_client.get(changelist_url(), {"status__exact": "failed"}).content.decode()
    assert "empty.txt" in html and "empty file" in html
    assert SEED_002 not in html
    html = staff_client.get(changelist_url(), {"q": "002_5507"}).content.decode()
    assert SEED_002 in html and "utf-8" in html and failed.original_name not in html
    # Its title and its file's name both (the title alone hid which file it was).
    document = Document.objects.get(original_name=SEED_002)
    assert f'{document.display_title}<br><span class="quiet">{SEED_002}</span>' in html


@pytest.mark.django_db
@pytest.mark.usefixtures("corpus")
@pytest.mark.parametrize("model", ["speech", "section", "topic"])
def test_speech_section_and_topic_admins_search(staff_client, model):
    speech = Speech.objects.first()
    term = {
        "speech": speech.public_id,
        "section": Section.objects.first().heading[:4] or speech.public_id,
        "topic": "",
    }[model]
    response = staff_client.get(f"/admin/speeches/{model}/", {"q": term})
    assert response.status_code == 200
    assert response.context["cl"].result_count >= 1


@pytest.mark.django_db
@pytest.mark.usefixtures("corpus")
def test_topics_filter_by_whether_any_speech_has_them(staff_client):
    used = staff_client.get("/admin/speeches/topic/", {"used": "yes"}).context["cl"].result_count
    unused = staff_client.get("/admin/speeches/topic/", {"used": "no"}).context["cl"].result_count
    assert used >= 1 and used + unused == Topic.objects.count()


@pytest.mark.django_db
@pytest.mark.usefixtures("corpus")
def test_speeches_are_read_only_in_the_admin(staff_client):
    speech = Speech.objects.first()
    url = f"/admin/speeches/speech/{speech.pk}/change/"
    assert staff_client.get(url).status_code == 200
    assert staff_client.post(url, {"title": "hand edit"}).status_code == 403
    speech.refresh_from_db()
    assert speech.title != "hand edit"


@pytest.mark.django_db
@pytest.mark.usefixtures("corpus")
def test_topics_and_old_links_are_read_only_in_the_admin(staff_client):
    # A topic deleted or renamed here came back at the next ingest; an old link edited
    # here could send a live id elsewhere, and a rebuild from the raw files forgot it.
    from speeches.models import SpeechAlias

    topic = Topic.objects.first()
    url = f"/admin/speeches/topic/{topic.pk}/"
    assert staff_client.get(url + "change/").status_code == 200
    assert staff_client.post(url + "change/", {"name": "改名", "slug": topic.slug}).status_code == 403
    assert staff_client.post(url + "delete/", {"post": "yes"}).status_code == 403
    assert staff_client.get("/admin/speeches/topic/add/").status_code == 403
    assert staff_client.get("/admin/speeches/speechalias/add/").status_code == 403
    topic.refresh_from_db()
    assert topic.name != "改名" and not SpeechAlias.objects.exists()


@pytest.mark.django_db
@pytest.mark.usefixtures("corpus")
def test_the_uploader_filter_names_only_those_who_uploaded(staff_client, django_user_model):
    django_user_model.objects.create_user("researcher", password="a-long-passphrase-1")
    uploader = django_user_model.objects.create_user("uploader", password="a-long-passphrase-1")
    Document.objects.filter(pk=Document.objects.first().pk).update(uploaded_by=uploader)
    html = staff_client.get("/admin/speeches/document/").content.decode()
    assert "uploaded_by__id__exact=" in html and ">uploader<" in html and ">researcher<" not in html


@pytest.mark.django_db
def test_adding_a_document_by_hand_leads_to_the_upload_page(staff_client):
    response = staff_client.get("/admin/speeches/document/add/")
    assert response.status_code == 302 and response["Location"].endswith("/document/upload/")


@pytest.mark.django_db
@pytest.mark.usefixtures("corpus")
def test_a_documents_page_links_to_its_speeches_and_shows_its_pipeline_report(staff_client):
    document = Document.objects.get(original_name=SEED_002)
    html = staff_client.get(f"/admin/speeches/document/{document.pk}/change/").content.decode()
    for speech in document.speeches.all():
        assert f'href="{speech.get_absolute_url()}"' in html
    assert "pipeline_version" in html
    # The report in words, as the document's page says it, not its stored JSON.
    mojibake = next(step for step in document.report["steps"] if step["step"] == "mojibake")
    assert f"<th>乱码</th><td>发现乱码 {mojibake['counts']['runs_found']} 段" in html
    assert "runs_found" not in html


@pytest.mark.django_db
@pytest.mark.usefixtures("empty_archive", "fresh_index")
def test_the_document_list_counts_speeches_without_grouping_by_the_raw_bytes(staff_client, seed_bytes):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    document = ingest_002(seed_bytes)
    with CaptureQueriesContext(connection) as queries:
        response = staff_client.get(changelist_url())
    # Grouped by every column, a 16 MB document's bytes were grouped once per speech:
    # the list took 145 s on SQLite.
    grouped = [q["sql"] for q in queries if "GROUP BY" in q["sql"] and '"raw"' in q["sql"]]
    assert response.status_code == 200 and grouped == []
    html = response.content.decode()
    assert f'<td class="field-speech_count">{document.speeches.count()}</td>' in html


@pytest.mark.django_db
@pytest.mark.usefixtures("empty_archive")
def test_a_documents_page_marks_the_speeches_that_copy_another(staff_client, seed_bytes):
    raw = seed_bytes[SEED_002]
    ingest_bytes(raw, "002.txt")
    again = Document.objects.get(pk=ingest_bytes(b"<p>spam line</p>\n" + raw, "002-again.txt").document_id)
    html = staff_client.get(f"/admin/speeches/document/{again.pk}/change/").content.decode()
    copy = again.speeches.exclude(duplicate_of=None).first()
    # As the upload report says it (admin/speeches/includes/speech_line.html).
    copies = again.speeches.exclude(duplicate_of=None)
    assert html.count("</code> 重复") + html.count("</code> 相近") == copies.count() > 0
    assert copy.duplicate_of.get_absolute_url() in html


@pytest.mark.django_db
@pytest.mark.usefixtures("corpus")
def test_speeches_filter_by_their_documents_status_named_as_such(staff_client):
    html = staff_client.get("/admin/speeches/speech/").content.decode()
    assert "来源文件状态" in html
    ingested = staff_client.get("/admin/speeches/speech/", {"document_status": "ingested"}).context["cl"]
    assert ingested.result_count == Speech.objects.filter(document__status="ingested").count() > 0
    failed = staff_client.get("/admin/speeches/speech/", {"document_status": "failed"}).context["cl"]
    assert failed.result_count == 0
