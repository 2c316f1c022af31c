"""The Content-Security-Policy is enforced by a real browser: the pages break none of
it (the page fixtures fail on any violation), and a script the site did not serve is
refused."""

from __future__ import annotations

import pytest

from speeches.models import Speech

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_every_kind_of_page_loads_without_a_policy_violation_and_keeps_its_scripts_working(live_server, corpus, page):
    speech = Speech.objects.canonical().first()
    for path in (
        "/",
        "/search/?q=安全生产",
        "/topics/",
        "/years/",
        "/documents/",
        f"/speeches/{speech.public_id}/",
        "/accounts/login/",
        "/search/help/",
        "/no-such-page/",
    ):
        page.goto(live_server.url + path)
    # The sort menu reloads nothing by itself (an arrow key on it must not); its button applies it.
    page.goto(live_server.url + "/search/?q=安全生产")
    page.focus("select[name=sort]")
    page.keyboard.press("ArrowDown")
    page.wait_for_timeout(500)
    assert "sort=" not in page.url
    page.select_option("select[name=sort]", "year")
    page.click(".sort-form button")
    page.wait_for_url("**sort=year**")


def test_an_injected_inline_script_is_refused_by_the_policy(live_server, corpus, browser):
    from .conftest import DESKTOP, watched

    context = browser.new_context(viewport=DESKTOP, locale="zh-CN")
    page = watched(context)
    page.goto(live_server.url + "/")
    page.evaluate(
        "() => { const s = document.createElement('script'); s.textContent = 'window.injected = 1';"
        " document.body.appendChild(s); }"
    )
    assert page.evaluate("() => window.injected") is None
    assert page.csp_violations, "the browser reports the refused script"
    context.close()
