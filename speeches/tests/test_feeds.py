"""The Atom feed of a search: valid Atom, the search's own set with its filters (over the cast, speeches/tests/cast.py)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from unittest import mock

import pytest

from speeches.search import SearchParams, search_speeches

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("search_engine")]
ATOM = "{http://www.w3.org/2005/Atom}"


def feed(client, **params):
    response = client.get("/search/feed.atom", params)
    assert response.status_code == 200 and response["Content-Type"].startswith("application/atom+xml")
    return ET.fromstring(response.content)


def test_a_search_feed_is_atom_listing_the_searchs_speeches_newest_first(client, cast):
    root = feed(client, q="安全生产")
    assert root.tag == f"{ATOM}feed" and "安全生产" in root.find(f"{ATOM}title").text
    expected = search_speeches(params=SearchParams(q="安全生产", sort="newest", page_size=50), facets=False)
    links = [entry.find(f"{ATOM}link").get("href") for entry in root.findall(f"{ATOM}entry")]
    assert links and [link.split("testserver")[-1] for link in links] == [
        hit.speech.get_absolute_url() for hit in expected.hits
    ]
    # safety (2016, county.txt), then resumption (2020, city.txt): county.txt was stored
    # after city.txt (cast.PAGES), and a feed gives the newest arrivals first.
    assert [link.split("testserver")[-1] for link in links] == [
        cast["safety"].get_absolute_url(),
        cast["resumption"].get_absolute_url(),
    ]
    for entry in root.findall(f"{ATOM}entry"):
        # An entry's id is absolute (RFC 4287 §4.2.6): the speech's permanent URL.
        assert entry.find(f"{ATOM}id").text == entry.find(f"{ATOM}link").get("href")
        assert entry.find(f"{ATOM}id").text.startswith("http://testserver/speeches/")
        assert entry.find(f"{ATOM}updated").text
        assert "安全生产" in (entry.find(f"{ATOM}summary").text or "")
        title = entry.find(f"{ATOM}title").text
        assert title.count("年）") <= 1, title


def test_a_feed_keeps_the_searchs_filters_and_is_linked_from_the_results_page(client, cast):
    everything = feed(client, q="工作")
    year = search_speeches(params=SearchParams(q="工作")).facets["year"][0].value
    narrowed = feed(client, q="工作", year=year)
    entries = narrowed.findall(f"{ATOM}entry")
    assert 0 < len(entries) < len(everything.findall(f"{ATOM}entry"))
    assert year == "2021" and len(entries) == 1 and len(everything.findall(f"{ATOM}entry")) == 12
    assert all(f"（{year}年）" in entry.find(f"{ATOM}title").text for entry in entries)
    # Its title names the filter, as the saved search's label does.
    assert narrowed.find(f"{ATOM}title").text == f"讲话档案：工作 · 年份：{year}"
    assert everything.find(f"{ATOM}title").text == "讲话档案：工作"
    self_link = next(link for link in narrowed.findall(f"{ATOM}link") if link.get("rel") == "self").get("href")
    assert f"year={year}" in self_link and "q=" in self_link
    html = client.get("/search/", {"q": "工作", "year": year}).content.decode()
    assert 'type="application/atom+xml"' in html and f"/search/feed.atom?q=%E5%B7%A5%E4%BD%9C&amp;year={year}" in html


@pytest.mark.parametrize("query", ["安全\x00生产", "安全\x01生产", "安全生产\x0c"])
def test_a_control_character_pasted_into_the_query_is_read_as_a_space(client, cast, query):
    root = feed(client, q=query)  # XML cannot carry it: once a server error
    assert "\x00" not in root.find(f"{ATOM}title").text
    spaced = query.replace("\x00", " ").replace("\x01", " ").replace("\x0c", " ")
    expected = search_speeches(params=SearchParams(q=spaced), facets=False)
    assert len(root.findall(f"{ATOM}entry")) == expected.count > 0


def test_a_feed_without_a_query_or_filter_is_empty_not_the_whole_archive(client, cast):
    assert feed(client).findall(f"{ATOM}entry") == []


def test_an_entry_title_says_its_year_once():
    from types import SimpleNamespace

    from speeches.feeds import SearchFeed
    from speeches.models import Speech

    def title(text, year, standing="stated", supplied=False):
        attribution = {"date": {"standing": standing}}
        speech = Speech(title=text, year=year, date=str(year or ""), attribution=attribution, title_supplied=supplied)
        return SearchFeed().item_title(SimpleNamespace(speech=speech))

    # A title told apart from another of its page by its year (attribution.tell_apart).
    assert title("关于教育的讲话（2022年）", 2022) == "关于教育的讲话（2022年）"
    assert title("关于教育的讲话", 2022) == "关于教育的讲话（2022年）"
    assert title("关于教育的讲话", None) == "关于教育的讲话"
    assert title("关于教育的讲话", 2016, "inferred") == "关于教育的讲话（2016年?）"
    # A title the archive supplied is bracketed, as on its page and in its citations.
    assert title("关于教育的讲话", 2016, "inferred", supplied=True) == "[关于教育的讲话]（2016年?）"


def speech_page(title: str, date_line: str, *paragraphs: str) -> bytes:
    """A scraped page holding one speech, dated by a line under its title when `date_line`."""
    return "\n".join([title, *([date_line] if date_line else []), "同志们：", *paragraphs, ""]).encode()


# Three speeches about 量子通信, stored in this order: the last has no year.
ARRIVALS = (
    speech_page(
        "在全市量子通信工作会议上的讲话",
        "（2019年3月10日）",
        "今天召开全市量子通信工作会议，总结试点工作，部署重点任务。",
        "各级各部门要高度重视，明确责任分工，确保各项任务按期完成。",
    ),
    speech_page(
        "在全省量子通信产业大会上的讲话",
        "（2021年5月8日）",
        "这次大会表彰一批量子通信产业先进集体，动员全省加快建设量子通信骨干网。",
        "要深化体制改革，完善成果转化机制，让创新活力竞相迸发。",
    ),
    speech_page(
        "在全县量子通信推进会上的讲话",
        "",
        "全县量子通信城域网建成三条，接入用户单位四十余家，试点工作取得明显进展。",
        "要加强组织领导，落实工作责任，确保网络安全稳定运行。",
    ),
)


def test_a_feed_lists_the_speeches_stored_last_first_whatever_their_year_and_cuts_the_oldest(
    client, empty_archive, fresh_index, search_engine, settings, tmp_path, django_capture_on_commit_callbacks
):
    from speeches.loading import ingest_bytes
    from speeches.models import Document

    settings.MEDIA_ROOT = tmp_path
    stored = []
    for number, raw in enumerate(ARRIVALS):
        with django_capture_on_commit_callbacks(execute=True):
            document = Document.objects.get(pk=ingest_bytes(raw, f"quantum-{number}.txt").document_id)
        stored.append(document.speeches.get())
    assert [speech.year for speech in stored] == [2019, 2021, None]
    with mock.patch("speeches.feeds.FEED_SIZE", 2):
        root = feed(client, q="量子通信")
    links = [entry.find(f"{ATOM}link").get("href").split("testserver")[-1] for entry in root.findall(f"{ATOM}entry")]
    # The undated speech came last, so a researcher following the search sees it first; the
    # speech stored first is the one a full feed leaves out.
    assert links == [stored[2].get_absolute_url(), stored[1].get_absolute_url()]


def test_an_entrys_summary_joins_its_snippets_without_doubling_their_ellipses():
    from types import SimpleNamespace

    from speeches.feeds import SearchFeed

    hit = SimpleNamespace(snippets=["…抓好<mark>安全生产</mark>工作…", "…<mark>安全生产</mark>责任…"], speech=None)
    assert SearchFeed().item_description(hit) == "…抓好安全生产工作… …安全生产责任…"


def test_a_speech_stored_with_a_control_character_is_still_listed_by_the_feed(client, cast):
    # Stored before the ingest dropped them (ingest/markup.py): the feed was a server error.
    from speeches.models import Speech

    Speech.objects.filter(pk=cast["safety"].pk).update(text="抓好\x0c安全生产\x01工作", title="安全\x1f生产")
    root = feed(client, q="安全生产")
    titles = [entry.find(f"{ATOM}title").text for entry in root.findall(f"{ATOM}entry")]
    assert any(title.startswith("安全 生产") for title in titles), titles
