"""The pages a researcher works in, checked as assistive technology and a phone meet them:
axe-core (npm, injected into the page) finds no serious or critical violation of WCAG 2.2
AA at desktop and phone width; the keyboard reaches the content first; confirmations
are announced; no page scrolls sideways; a speech's text starts on a phone's first screen."""

import os
from pathlib import Path
from urllib.parse import quote

import pytest

from speeches.models import Speech

from .conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(__file__).resolve().parents[3] / "node_modules" / "axe-core" / "axe.min.js"
RULES = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
QUERY = quote("疫情防控")


@pytest.fixture(scope="module")
def axe_source() -> str:
    if not AXE.exists():
        if os.environ.get("REQUIRE_BROWSER"):
            pytest.fail(f"REQUIRE_BROWSER is set but {AXE} is missing (npm ci)")
        pytest.skip("axe-core not installed (npm ci)")
    return AXE.read_text(encoding="utf-8")


def serious_violations(page, axe_source: str) -> list[str]:
    # Evaluated, not added as a <script>: the site's Content-Security-Policy refuses inline
    # scripts, and the test must not weaken it.
    page.evaluate(axe_source)
    found = page.evaluate(
        "async (tags) => (await axe.run(document, {resultTypes: ['violations'],"
        " runOnly: {type: 'tag', values: tags}})).violations"
        ".filter(v => v.impact === 'serious' || v.impact === 'critical')"
        ".map(v => v.id + ': ' + v.help + ' — ' + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(', '))",
        RULES,
    )
    return found


def pages(corpus) -> dict[str, str]:
    speech = Speech.objects.filter(duplicate_of=None, speaker="应若平").first()
    place = Speech.objects.filter(duplicate_of=None).exclude(region="").first().region.split("·")[0]
    return {
        "home": "/",
        "results": f"/search/?q={QUERY}",
        "speech": speech.get_absolute_url(),
        "help": "/search/help/",
        "concordance": f"/search/concordance/?q={QUERY}",
        "chart": f"/search/trends/?q={QUERY}&terms={quote('安全生产')}&terms={quote('教育信息化')}",
        "place": f"/places/{quote(place)}/",
        "office": f"/offices/{quote(speech.office)}/",
        "topics": "/topics/",
        "documents": "/documents/",
        # The pages a digest's reader opens from a mail, signed in or not.
        **mail_pages(),
    }


def mail_pages() -> dict[str, str]:
    from django.conf import settings
    from django.contrib.auth.models import User

    from speeches.mail_confirmation import confirm_url, stop_url

    reader, _ = User.objects.get_or_create(username="reader", defaults={"email": "reader@example.org"})
    return {
        "confirm address": confirm_url(reader).removeprefix(settings.SITE_URL),
        "stop digests": stop_url(reader).removeprefix(settings.SITE_URL),
    }


@pytest.mark.parametrize("width", ["desktop", "phone"])
def test_no_page_has_a_serious_accessibility_violation_or_scrolls_sideways(
    live_server, corpus, page, phone_page, axe_source, width
):
    tab = page if width == "desktop" else phone_page
    failures = {}
    for name, path in pages(corpus).items():
        tab.goto(live_server.url + path)
        # What folds away is checked too (the speech page's original and cite box).
        tab.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")
        found = serious_violations(tab, axe_source)
        if found:
            failures[name] = found
        if tab.evaluate("document.documentElement.scrollWidth > window.innerWidth"):
            failures.setdefault(name, []).append("scrolls sideways")
    assert failures == {}


def test_the_keyboard_reaches_the_content_first_and_a_copy_is_announced(live_server, corpus, page):
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    speech = Speech.objects.filter(duplicate_of=None, speaker="应若平").first()
    page.goto(live_server.url + speech.get_absolute_url())
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "跳到正文"
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") != "none"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    # Section headings are headings, not styled paragraphs.
    assert page.locator(".speech-text h2.heading").count() > 0
    # Keywords are links and look it: the links' colour, underlined (they were grey text).
    keyword, link = page.locator(".keywords a.kw").first, page.locator(".site-footer a").first
    assert keyword.evaluate("k => getComputedStyle(k).textDecorationLine") == "underline"
    assert keyword.evaluate("k => getComputedStyle(k).color") == link.evaluate("a => getComputedStyle(a).color")
    page.click("#cite summary")
    page.click('button.copy-cite[data-format="gbt7714"]')
    page.wait_for_function("() => document.getElementById('announce').textContent === '已复制'")


def test_no_page_takes_the_focus_on_arrival_so_tab_starts_at_the_skip_link_which_leads_to_the_search_box(
    live_server, corpus, page
):
    for path in ("/", "/accounts/login/", "/accounts/signup/"):
        page.goto(live_server.url + path)
        assert page.evaluate("document.activeElement === document.body"), path
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.textContent") == "跳到正文", path
    # On the home page the search box is the first stop after skipping the header.
    page.goto(live_server.url + "/")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('.big-search') !== null")


def test_the_sort_menu_does_not_reload_the_page_on_an_arrow_key(live_server, corpus, page):
    page.goto(f"{live_server.url}/search/?q={QUERY}")
    url = page.url
    page.focus("select[name=sort]")
    page.keyboard.press("ArrowDown")
    page.wait_for_timeout(500)
    assert page.url == url


def test_on_a_phone_the_text_starts_on_the_first_screen_and_filters_stay_in_sight(live_server, corpus, phone_page):
    speech = Speech.objects.filter(duplicate_of=None, speaker="应若平").first()
    phone_page.goto(live_server.url + speech.get_absolute_url())
    first = phone_page.locator(".speech-text p, .speech-text .heading").first
    assert first.bounding_box()["y"] < phone_page.viewport_size["height"]
    screenshot(phone_page, "speech-first-screen-phone")

    phone_page.goto(f"{live_server.url}/search/?q={QUERY}")
    phone_page.click(".facet-box summary")
    phone_page.locator('[data-facet="topic"] a').first.click()
    phone_page.wait_for_url("**topic=*")
    chip = phone_page.locator(".active-filters .chip").first
    assert chip.is_visible() and chip.bounding_box()["y"] < phone_page.viewport_size["height"]
    screenshot(phone_page, "search-active-filter-phone")
    chip.click()
    phone_page.wait_for_load_state()
    assert "topic=" not in phone_page.url


def test_on_a_phone_the_concordance_shows_each_lines_source_beside_the_term(live_server, corpus, phone_page):
    phone_page.goto(f"{live_server.url}/search/concordance/?q={quote('发展')}")
    width = phone_page.evaluate("window.innerWidth")
    # Every column on screen, none in a box scrolled out of view: the source column was
    # past the phone's edge, the right context cut under it.
    edges = phone_page.evaluate(
        "[...document.querySelectorAll('.concordance tbody tr')].slice(0, 20).map(r =>"
        " [...r.cells].map(c => c.getBoundingClientRect().right))"
    )
    assert edges and all(max(row) <= width for row in edges), (width, edges[:2])
    # The left context keeps the characters next to the term.
    first = phone_page.locator(".concordance tbody tr").first
    left = first.locator("td.left")
    box, text_box = left.bounding_box(), left.locator("span").bounding_box()
    assert abs((text_box["x"] + text_box["width"]) - (box["x"] + box["width"])) < 8
    # A context cut to fit ends in … at its outer edge, never in half a character.
    cut = phone_page.evaluate(
        "[...document.querySelectorAll('.concordance td.left, .concordance td.right')]"
        ".filter(c => c.scrollWidth > c.clientWidth).map(c => getComputedStyle(c).textOverflow)"
    )
    assert cut and set(cut) == {"ellipsis"}
    screenshot(phone_page, "concordance-phone")


def test_a_paragraphs_copy_control_takes_no_room_until_shown_and_the_keyboard_reaches_it_through_its_pilcrow(
    live_server, corpus, page
):
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    speech = Speech.objects.filter(duplicate_of=None, speaker="应若平").first()
    page.goto(live_server.url + speech.get_absolute_url())
    # No button of a paragraph not pointed at or selected is laid out (one Tab stop, ¶, each).
    laid_out = page.evaluate(
        "[...document.querySelectorAll('.speech-text button.copy-link')].filter(b => b.getClientRects().length).length"
    )
    assert laid_out == 0
    page.focus("#p3 .pilcrow")
    page.keyboard.press("Enter")  # ¶ selects its paragraph
    # The next Tab stops (the selected paragraph's ¶ once more, as the page moved there) lead to it.
    reached = []
    for _ in range(2):
        page.keyboard.press("Tab")
        reached.append(page.evaluate("document.activeElement.getAttribute('data-anchor') || ''"))
    assert "p3" in reached
    page.keyboard.press("Enter")
    page.wait_for_selector("#p3 button.copy-link[data-state=copied]")
    assert page.evaluate("navigator.clipboard.readText()").endswith(f"/speeches/{speech.public_id}/#p3")
