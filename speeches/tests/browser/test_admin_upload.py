"""An editor signs in, uploads a scraped page, reads the report and opens a new speech, in real Chromium."""

import pytest

from speeches.models import Document

from ..admin_helpers import make_staff
from .conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SEED_002 = "002_5507ae1777cd8619.txt"


def test_an_editor_uploads_a_page_reads_the_report_and_opens_a_new_speech(
    live_server, page, seed_bytes, django_user_model
):
    make_staff(django_user_model)
    page.goto(live_server.url + "/admin/speeches/document/upload/")
    page.fill("#id_username", "editor")
    page.fill("#id_password", "pw-for-tests-only")
    page.click("input[type=submit]")
    page.wait_for_selector("#upload-form")
    # A re-scrape with an extra first line: new bytes, so a new document whatever the database holds.
    raw = "<p>二〇二六年十一月重新抓取</p>\n".encode() + seed_bytes[SEED_002]
    page.set_input_files("input[name=files]", files=[{"name": "leaders.html", "mimeType": "text/html", "buffer": raw}])
    page.click("#upload-form input[type=submit]")
    report = page.wait_for_selector(".upload-report article[data-status=ingested]", timeout=120_000)
    assert "leaders.html" in report.text_content() and "已入库" in report.text_content()
    document = Document.objects.get(original_name="leaders.html")
    assert f"讲话 {document.speeches.count()} 篇" in report.text_content()
    screenshot(page, "admin-upload-report")
    link = page.locator(".upload-report ol.speeches li > a").first
    title = link.text_content().strip()
    link.click()
    page.wait_for_selector("article.speech")
    first = document.speeches.order_by("ordinal").first()
    # The page's first speech lost its end (残篇): its heading is its title, and the line of
    # facts under it says 残篇.
    assert first.is_fragment and page.text_content("article.speech h1").strip() == title
    assert page.locator("article.speech header .tag.fragment").text_content() == "残篇"
    assert page.url.endswith(first.get_absolute_url())
