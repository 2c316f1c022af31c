"""A researcher opens a speech, jumps to a paragraph, copies its link, bookmarks it and finds
it under My bookmarks, in real Chromium at desktop and phone width."""

import pytest
from django.contrib.auth.models import User
from django.db import models

from speeches.ingest.mojibake import MARKER
from speeches.models import Speech

from .conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-passphrase-1"


@pytest.fixture
def speech(corpus):
    return Speech.objects.get(document=corpus["002_5507ae1777cd8619.txt"], ordinal=2)


def sign_in(page, username: str) -> None:
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click(".account-form button[type=submit]")


def test_a_researcher_copies_a_paragraph_link_and_finds_the_bookmark(live_server, speech, page):
    User.objects.create_user("researcher", password=PASSWORD)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    permalink = f"{live_server.url}/speeches/{speech.public_id}/"
    page.goto(permalink + "#p5")
    target = page.locator(":target")
    assert target.get_attribute("id") == "p5" and target.is_visible()

    target.hover()
    target.locator("button.copy-link").click()
    page.wait_for_selector("#p5 button.copy-link[data-state=copied]")
    assert page.evaluate("navigator.clipboard.readText()") == permalink + "#p5"
    assert target.locator("button.copy-link").get_attribute("data-copied") == permalink + "#p5"
    # The cite box follows the selected paragraph.
    page.click("#cite summary")
    page.wait_for_function("document.querySelector('.cite-scope').textContent.includes('第5段')")
    assert permalink + "#p5." in page.text_content('pre[data-format="gbt7714"]')
    screenshot(page, "speech-paragraph-desktop")

    page.click("#bookmark summary")
    page.click("#bookmark a:has-text('登录')")
    sign_in(page, "researcher")
    page.wait_for_url(permalink)
    page.goto(permalink + "#p5")
    page.click("#bookmark summary")
    assert page.input_value(".bookmark-form input[name=paragraph]") == "p5"
    page.fill(".bookmark-form textarea[name=note]", "第五段的论述")
    page.fill(".bookmark-form input[name=tags]", "疫情，教育")
    page.click(".bookmark-form button[type=submit]")
    page.wait_for_url(permalink + "#p5")
    assert "已加入我的书签（第5段）" in page.text_content(".messages")
    # In view where the page opens, and announced; above the paragraph it confirms, not over it.
    box, target = page.locator(".messages").bounding_box(), page.locator("#p5").bounding_box()
    assert 0 <= box["y"] < page.viewport_size["height"] and page.get_attribute(".messages", "role") == "status"
    assert box["y"] + box["height"] <= target["y"]
    # It scrolls away with the text instead of staying pinned over the lines below.
    # The page opened at #p5, already scrolled: wait for the wheel's own scroll (waiting for
    # scrollY > 0 returned at once, and the box was measured before the page moved).
    before = page.evaluate("window.scrollY")
    page.mouse.wheel(0, 600)
    page.wait_for_function("(least) => window.scrollY > least", arg=before + 300)
    assert page.locator(".messages").bounding_box()["y"] < box["y"] - 300

    page.click(".nav-account a:has-text('我的书签')")
    item = page.locator(".bookmark").first
    assert speech.title in item.text_content() and "第五段的论述" in item.text_content()
    assert item.locator("h2 a").get_attribute("href") == f"/speeches/{speech.public_id}/#p5"
    screenshot(page, "bookmarks-desktop")
    item.locator("h2 a").click()
    page.wait_for_url(permalink + "#p5")
    assert page.locator(":target").get_attribute("id") == "p5"


def test_the_page_fits_a_phone_and_shows_the_original_beside_the_restored_text(live_server, speech, page, phone_page):
    # One test for both widths: every transactional test re-ingests the corpus.
    url = f"{live_server.url}/speeches/{speech.public_id}/"
    phone_page.goto(url + "#p3")
    assert phone_page.locator(":target").get_attribute("id") == "p3"
    screenshot(phone_page, "speech-paragraph-phone")
    phone_page.click("button.toggle-original")
    assert phone_page.locator("details.original pre").is_visible()
    phone_page.click("#cite summary")
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"page scrolls sideways on a phone ({width}px)"
    phone_page.locator("#cite").scroll_into_view_if_needed()
    screenshot(phone_page, "speech-cite-phone")

    page.goto(url)
    page.click("button.toggle-original")
    text_box = page.locator(".speech-text").bounding_box()
    original_box = page.locator("details.original").bounding_box()
    assert original_box["x"] > text_box["x"] + text_box["width"] - 1, "the original sits to the right"
    page.locator(".reading").scroll_into_view_if_needed()
    page.evaluate("document.querySelector('.reading').scrollIntoView()")
    screenshot(page, "speech-original-desktop")


def test_a_reader_sees_why_a_character_is_marked_and_opens_the_original_to_compare(live_server, corpus, phone_page):
    speech = Speech.objects.filter(text__contains=MARKER).first()
    phone_page.goto(f"{live_server.url}/speeches/{speech.public_id}/")
    notice = phone_page.locator("p.notice", has_text="无法可靠恢复")
    assert notice.is_visible()
    lost = phone_page.locator("span.lost").first
    assert lost.get_attribute("title") == "此字在来源中已损坏，无法可靠恢复"
    lost.scroll_into_view_if_needed()
    screenshot(phone_page, "speech-lost-character-phone")
    notice.locator('a[href="#original"]').click()
    assert phone_page.locator("details.original").evaluate("element => element.open")
    assert phone_page.locator("details.original pre").is_visible()


def test_a_paragraph_link_copied_on_a_copys_page_is_that_pages_paragraph(live_server, corpus, page):
    # A copy's canonical link names its original, whose paragraphs are numbered otherwise:
    # the link copied must be the copy's own, to the paragraph the reader clicked.
    copy = Speech.objects.filter(duplicate_of__isnull=False).exclude(text=models.F("duplicate_of__text")).first()
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    own = f"{live_server.url}/speeches/{copy.public_id}/"
    page.goto(own + "#p3")
    target = page.locator(":target")
    target.hover()
    target.locator("button.copy-link").click()
    page.wait_for_selector("#p3 button.copy-link[data-state=copied]")
    assert page.evaluate("navigator.clipboard.readText()") == own + "#p3"
    assert copy.text.split("\n")[2] in target.text_content()
