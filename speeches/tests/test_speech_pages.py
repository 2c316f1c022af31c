"""The speech page researchers cite: facts, provenance, anchors, neighbours, citations, previews.

Over the cast (speeches/tests/cast.py): city.txt's four speeches are, in order, yushan
(sections, a stated speaker), epidemic, resumption and retitled."""

import re

import pytest
from django.utils import timezone

from speeches.ingest.mojibake import MARKER
from speeches.models import Speech, SpeechAlias
from speeches.tests.page_html import elements

pytestmark = pytest.mark.django_db


def html_of(client, url: str, **params) -> str:
    response = client.get(url, params)
    assert response.status_code == 200
    return response.content.decode()


def test_the_page_shows_the_speech_facts_and_links_its_source_and_raw_file(client, cast):
    speech = cast["yushan"]
    html = html_of(client, speech.get_absolute_url())
    for value in ("全市城市管理工作会议", "市", "讲话", "张明", "市长", "城市管理", "全国文明城市创建", "背街小巷"):
        assert value in html
    assert f"<h1>{speech.title}</h1>" in html
    assert f'href="/documents/{speech.document.pk}/"' in html
    assert f'href="/documents/{speech.document.pk}/raw/"' in html and "原始文件" in html
    for value in (speech.occasion, speech.speaker_level, speech.genre):
        assert value in html
    for topic in speech.topics.all():
        assert topic.name in html
    for word in speech.keywords:
        assert word in html


def test_every_paragraph_has_an_anchor_and_a_copy_link_control(client, cast):
    speech = cast["yushan"]
    html = html_of(client, speech.get_absolute_url())
    count = len(speech.paragraphs())
    assert count == 6
    for number in range(1, count + 1):
        # A paragraph, or the row of a section's heading (h2, h3…), each with its anchor.
        assert re.search(rf'<(p|div) id="p{number}"', html) and f'data-anchor="p{number}"' in html
    assert f'id="p{count + 1}"' not in html
    assert re.search(
        r'<div id="p\d+" class="heading-row[^>]*><a class="pilcrow"[^>]*>¶\d+</a><h[2-6] class="heading', html
    )


def test_a_section_headings_accessible_name_is_its_own_text_not_its_paragraph_link(client, cast):
    speech = cast["yushan"]
    html = html_of(client, speech.get_absolute_url())
    headings = [
        e
        for e in elements(html)
        if e.tag in {"h2", "h3", "h4", "h5", "h6"} and "heading" in e.attrs.get("class", "").split()
    ]
    # Nothing but the heading's text inside it: no ¶ link, no copy button.
    assert [h.content for h in headings] == [s.heading for s in speech.sections.exclude(heading="")]


def test_each_copy_button_of_the_cite_box_names_the_form_it_copies(client, cast):
    html = html_of(client, cast["yushan"].get_absolute_url())
    names = {
        button.attrs["data-format"]: button.attrs["aria-label"]
        for button in elements(html, "button", class_="copy-cite")
    }
    assert names == {
        "gbt7714": "复制 GB/T 7714 格式的引文",
        "bibtex": "复制 BibTeX 格式的引文",
        "ris": "复制 RIS 格式的引文",
    }


def test_the_table_of_contents_links_each_headed_section(client, cast):
    speech = cast["yushan"]
    html = html_of(client, speech.get_absolute_url())
    assert '<a href="#s2">一、充分肯定城市管理工作取得的成绩</a>' in html and '<a href="#s3">' in html
    for section in speech.sections.exclude(heading=""):
        assert f'<a href="#{section.anchor}">{section.heading}</a>' in html
        assert f'id="{section.anchor}"' in html


def test_a_copys_citation_names_the_original(client, cast):
    copy, original = cast["yushan-copy"], cast["yushan"]
    data = client.get(f"/api/speeches/{copy.public_id}/citation").json()
    note = f"与 http://testserver{original.get_absolute_url()} 内容重复"
    assert note in data["gbt7714"] and note in data["bibtex"] and f"N1  - {note}" in data["ris"]
    assert "内容重复" not in client.get(f"/api/speeches/{original.public_id}/citation").json()["gbt7714"]


def test_the_contents_list_the_outline_and_leave_its_items_and_points_to_the_text():
    from types import SimpleNamespace

    from speeches.speech_views import table_of_contents

    def section(heading, level):
        return SimpleNamespace(heading=heading, level=level)

    # 003's 公路 speech: 一、 (一) ----公路建设。 and under it 1、投资800万元…
    outline = [section("一、20xx年公路工作简要回顾。", 1), section("(一)总体工作思路:", 2)]
    outline.append(section("----公路建设。", 3))
    items = [section("1、投资800万元,完成xx公路沁阳段5.88公里改建工程", 4), section("", 0)]
    assert table_of_contents(outline + items) == outline
    # A speech whose only structure is run-in points lists them (its top level).
    points = [section("一是坚持突出重点。", 1), section("二是强化措施。", 1), section("1、甲", 2)]
    assert table_of_contents(points) == points[:2]


def test_the_id_alone_resolves_and_a_readable_slug_may_follow_it(client, cast):
    speech = cast["yushan"]
    plain = html_of(client, f"/speeches/{speech.public_id}/")
    slugged = html_of(client, f"/speeches/{speech.public_id}/{speech.title}/")
    canonical = f'<link rel="canonical" href="http://testserver/speeches/{speech.public_id}/">'
    assert canonical in plain and canonical in slugged


def test_the_page_has_a_title_and_open_graph_tags_for_link_previews(client, cast):
    speech = cast["yushan"]
    html = html_of(client, speech.get_absolute_url())
    assert re.search(rf"<title>{re.escape(speech.title)}.* · 讲话档案</title>", html)
    assert f'<meta property="og:title" content="{speech.title}">' in html
    assert f'<meta property="og:url" content="http://testserver/speeches/{speech.public_id}/">' in html
    assert '<meta property="og:type" content="article">' in html and 'property="og:description"' in html
    assert '<html lang="zh-Hans">' in html and 'name="viewport"' in html


def test_previous_and_next_follow_the_order_in_the_collection(client, cast):
    first, before, after, last = (cast[key] for key in ("yushan", "epidemic", "resumption", "retitled"))
    html = html_of(client, before.get_absolute_url())
    assert f'<a rel="prev" href="{first.get_absolute_url()}">' in html
    assert f'<a rel="next" href="{after.get_absolute_url()}">' in html
    assert "已是本文件第一篇" in html_of(client, first.get_absolute_url())
    assert "已是本文件最后一篇" in html_of(client, last.get_absolute_url())


def test_a_speech_found_in_two_places_says_where_else_it_appears(client, cast):
    copy = cast["yushan-copy"]
    assert copy.duplicate_of == cast["yushan"]
    html = html_of(client, copy.duplicate_of.get_absolute_url())
    assert "本篇亦见于" in html and copy.get_absolute_url() in html
    assert "本篇亦见于" not in html_of(client, cast["epidemic"].get_absolute_url())


def test_a_copys_page_names_its_original_and_where_it_stands_and_points_search_engines_there(client, cast):
    copy, original = cast["yushan-copy"], cast["yushan"]
    html = html_of(client, copy.get_absolute_url())
    assert f'<link rel="canonical" href="http://testserver{original.get_absolute_url()}">' in html
    shown = original.document.display_title[:29]
    assert f"{original.title}</a>（{shown}" in html and f"第 {original.ordinal} 篇）内容重复" in html
    # The original's page is its own canonical page.
    assert f'<link rel="canonical" href="http://testserver{original.get_absolute_url()}">' in html_of(
        client, original.get_absolute_url()
    )


def test_similar_speeches_share_a_topic_or_keyword_and_are_not_the_speech_itself(client, cast):
    speech = cast["epidemic"]  # 疫情防控 and 全国文明城市创建
    html = html_of(client, speech.get_absolute_url())
    listed = re.search(r'<section class="similar">(.*?)</section>', html, re.S)
    assert listed, "a speech with topics lists similar speeches"
    ids = re.findall(r'href="/speeches/([a-z0-9]+)/"', listed.group(1))
    assert ids and speech.public_id not in ids
    assert set(ids) == cast.ids("yushan", "resumption", "retitled", "cppcc")
    topics = set(speech.topics.values_list("pk", flat=True))
    for other in Speech.objects.filter(public_id__in=ids).prefetch_related("topics"):
        assert other.duplicate_of_id is None and other.fingerprint != speech.fingerprint
        assert topics & {t.pk for t in other.topics.all()} or set(speech.keywords) & set(other.keywords)


def test_similar_speeches_are_named_as_their_own_pages_name_them(client, cast):
    # A supplied title in brackets, an inferred year with its ?: the list dropped both.
    shown = 0
    for speech in Speech.objects.filter(duplicate_of=None):
        listed = re.search(
            r'<section class="similar">(.*?)</section>', html_of(client, speech.get_absolute_url()), re.S
        )
        for other in Speech.objects.filter(
            public_id__in=re.findall(r'href="/speeches/([a-z0-9]+)/"', listed.group(1) if listed else "")
        ):
            item = re.search(rf'href="/speeches/{other.public_id}/">(.*?)</li>', listed.group(1), re.S).group(1)
            assert item.startswith(f"[{other.title}]" if other.title_supplied else other.title), item
            if other.date_label:
                assert other.date_label + ("?" if other.date_standing == "inferred" else " ") in item, item
            shown += other.title_supplied or other.date_standing == "inferred"
    assert shown  # the cast has such speeches among the similar ones


def test_the_original_text_is_on_the_page_beside_the_restored_one(client, cast):
    speech = cast["shaanxi"]
    html = html_of(client, speech.get_absolute_url())
    assert '<details class="original" id="original">' in html
    assert "陜西要堅定不移推動高質量發展。" in html and "陜西要坚定不移推动高质量发展。" in html
    first_original_line = next(line for line in speech.original_text.splitlines() if line.strip() and "<" not in line)
    assert first_original_line.strip()[:20] in html


def test_the_cite_box_carries_the_permanent_url_and_todays_access_date(client, cast):
    speech = cast["yushan"]
    html = html_of(client, speech.get_absolute_url())
    today = timezone.localdate()
    assert f"{speech.title}[EB/OL]. 讲话档案" in html
    assert f"[{today.isoformat()}]. http://testserver/speeches/{speech.public_id}/." in html
    assert f"@misc{{jianghua-{speech.public_id}," in html and "TY  - ELEC" in html


def test_the_citation_of_a_selected_paragraph_points_at_it(client, cast):
    speech = cast["yushan"]
    data = client.get(f"/api/speeches/{speech.public_id}/citation", {"paragraph": "p3"}).json()
    assert data["paragraph"] == "p3"
    assert f"http://testserver/speeches/{speech.public_id}/#p3." in data["gbt7714"]
    assert "note = {第3段；" in data["bibtex"] and "N1  - 第3段" in data["ris"]


def test_a_paragraph_the_speech_does_not_have_is_not_cited(client, cast):
    speech = cast["yushan"]
    last = len(speech.paragraphs())
    assert client.get(f"/api/speeches/{speech.public_id}/citation", {"paragraph": f"p{last}"}).status_code == 200
    response = client.get(f"/api/speeches/{speech.public_id}/citation", {"paragraph": f"p{last + 1}"})
    assert response.status_code == 404 and response.json()["message"] == f"本篇没有第 {last + 1} 段"
    response = client.get("/api/speeches/doesnotexist/citation")
    assert response.status_code == 404 and response.json()["message"] == "没有这篇讲话（no such speech）"


@pytest.mark.parametrize("anchor", ["p0", "p", "abc", "第3段"])
def test_an_anchor_that_names_no_paragraph_is_not_cited_as_the_whole_speech(client, cast, anchor):
    speech = cast["yushan"]
    response = client.get(f"/api/speeches/{speech.public_id}/citation", {"paragraph": anchor})
    assert response.status_code == 404 and response.json()["error"] == "no such paragraph"
    assert "本篇没有" in response.content.decode() or "没有这个段落" in response.content.decode()


def test_a_merged_or_capitalised_id_leads_to_its_speechs_citation_as_the_speech_api_does(client, cast):
    target = cast["yushan"]
    SpeechAlias.objects.create(public_id="mergedaway", speech=target, reason="merged")
    for asked in ("mergedaway", target.public_id.upper()):
        response = client.get(f"/api/speeches/{asked}/citation", {"paragraph": "p2"})
        assert response.status_code == client.get(f"/api/speeches/{asked}").status_code == 301
        assert response["Location"] == f"/api/speeches/{target.public_id}/citation?paragraph=p2"


def test_a_merged_id_redirects_with_the_search_query_kept(client, cast):
    target = cast["yushan"]
    SpeechAlias.objects.create(public_id="mergedq123", speech=target, reason="merged")
    response = client.get("/speeches/mergedq123/", {"q": "工作"})
    assert response.status_code == 301 and response["Location"] == f"{target.get_absolute_url()}?q=%E5%B7%A5%E4%BD%9C"


def test_an_id_that_never_existed_is_not_found(client, cast):
    assert client.get("/speeches/neverexist/").status_code == 404


def test_an_id_written_in_capitals_redirects_to_the_id(client, cast):
    speech = cast["yushan"]
    response = client.get(f"/speeches/{speech.public_id.upper()}/", {"q": "城市"})
    assert response.status_code == 301 and response["Location"] == f"{speech.get_absolute_url()}?q=%E5%9F%8E%E5%B8%82"
    response = client.get(f"/api/speeches/{speech.public_id.upper()}")
    assert response.status_code == 301 and response["Location"] == f"/api/speeches/{speech.public_id}"
    assert client.get("/speeches/NEVEREXIST/").status_code == 404


def test_the_speech_api_keeps_its_shape_and_adds_keywords_and_citation(client, cast):
    speech = cast["yushan"]
    data = client.get(f"/api/speeches/{speech.public_id}").json()
    for key in (
        "id",
        "url",
        "title",
        "text",
        "original_text",
        "sections",
        "topics",
        "year",
        "document",
        "duplicate_of",
        "speaker",
        "office",
        "date",
        "place",
        "occasion",
        "attribution",
        "title_supplied",
    ):
        assert key in data
    assert data["keywords"] == speech.keywords == ["城市管理", "雨山区", "背街小巷"]
    assert (data["speaker"], data["office"], data["place"]) == ("张明", "市长", "安徽·马鞍山·雨山区")
    assert data["date"] == {"value": "2019-03-12", "standing": "stated"}
    assert f"http://testserver/speeches/{speech.public_id}/. " in data["citation"]["gbt7714"]
    # The source document is named in the citation's note.
    assert f"来源文件：{speech.document.display_title}" in data["citation"]["gbt7714"]
    assert "来源文件：马鞍山市领导讲话选编" in data["citation"]["gbt7714"]
    assert set(data["attribution"]) == {"speaker", "office", "date", "place", "occasion"}
    assert data["date"]["standing"] in ("stated", "inferred", "unknown")
    listing = client.get("/api/speeches").json()["results"][0]
    assert "keywords" in listing and "sections" not in listing


@pytest.mark.django_db
def test_a_speech_whose_scraped_title_lies_is_titled_by_its_content(client, cast):
    # The page titled it after another meeting; it is about 全国文明城市创建.
    speech = cast["retitled"]
    assert speech.source_title == "在全市森林防火工作推进会上的讲话"
    assert "文明城市" in speech.title and "森林防火" not in speech.title
    html = client.get(speech.get_absolute_url()).content.decode()
    assert "网页标题" in html and "在全市森林防火工作推进会上的讲话" in html


def test_an_unrestorable_character_is_explained_where_it_stands_and_counted_above(client, cast):
    speech = cast["exam"]  # 一防三〓 twice, 村不〓, 一院多〓
    html = html_of(client, speech.get_absolute_url())
    lost = speech.text.count(MARKER)
    assert lost == 4
    assert f"本篇有 {lost} 个字在来源中已损坏" in html
    assert html.count('<span class="lost" title="此字在来源中已损坏，无法可靠恢复">') == lost
    # With a search, the terms are marked and the lost characters still explained.
    word = next(w for w in speech.keywords if w in speech.text)
    searched = html_of(client, speech.get_absolute_url(), q=word)
    assert f"<mark>{word}</mark>" in searched and searched.count('class="lost"') == lost


def test_a_fully_restored_speech_says_nothing_of_lost_characters(client, cast):
    speech = cast["yushan"]
    html = html_of(client, speech.get_absolute_url())
    assert "无法可靠恢复" not in html and 'class="lost"' not in html


def test_a_lost_character_in_a_title_is_explained_as_in_the_text(client, cast):
    # 001's 立足新起点〓开启新征程 came from a title line.
    speech = cast["yushan"]
    Speech.objects.filter(pk=speech.pk).update(title=f"立足新起点{MARKER}开启新征程")
    html = html_of(client, speech.get_absolute_url())
    h1 = html[html.index("<h1>") : html.index("</h1>")]
    assert f'立足新起点<span class="lost" title="此字在来源中已损坏，无法可靠恢复">{MARKER}</span>开启新征程' in h1


def test_a_fragment_says_so_on_its_page_in_listings_and_in_the_api(client, cast):
    fragment = cast["fragment"]
    assert Speech.objects.filter(is_fragment=True).get() == fragment
    html = client.get(fragment.get_absolute_url()).content.decode()
    assert "残篇" in html and "其余部分已缺失" in html
    # Marked once in the header, in its facts' line; the h1 is the title alone.
    header = html[html.index("<h1") : html.index('class="notice"')]
    assert header.count(">残篇</span>") == 1 and "tag fragment" not in header[: header.index("</h1>")]
    assert client.get(f"/api/speeches/{fragment.public_id}").json()["fragment"] is True
    whole = cast["fragment"].document.speeches.get(ordinal=1)
    assert client.get(f"/api/speeches/{whole.public_id}").json()["fragment"] is False
    assert "残篇" in client.get(f"/documents/{fragment.document_id}/").content.decode()


def test_a_title_the_archive_supplied_is_bracketed_on_the_page_in_listings_and_in_the_citation(client, cast):
    speech = cast["style"]  # reprint.txt gave it no title; its date (2019) is inferred
    html = html_of(client, speech.get_absolute_url())
    assert '<span class="supplied" title="标题为本馆所拟">[关于作风建设的讲话]</span>' in html
    assert "<title>[关于作风建设的讲话]（2019年?）" in html
    assert "[关于作风建设的讲话]" in html_of(client, f"/documents/{speech.document_id}/")
    data = client.get(f"/api/speeches/{speech.public_id}").json()
    assert data["title_supplied"] is True and "[关于作风建设的讲话]" in data["citation"]["gbt7714"]
    assert client.get(f"/api/speeches/{cast['yushan'].public_id}").json()["title_supplied"] is False


def test_a_query_for_titles_only_marks_nothing_in_the_body_and_a_text_term_is_marked(client, cast):
    speech = cast["epidemic"]  # 疫情 in its title and twice in its text
    assert "疫情" in speech.title and speech.text.count("疫情") == 2
    title_only = html_of(client, speech.get_absolute_url(), q="title:疫情")
    assert "<mark>疫情</mark>" not in title_only
    both = html_of(client, speech.get_absolute_url(), q="title:疫情 疫情")
    assert both.count("<mark>疫情</mark>") >= 2


@pytest.mark.django_db
def test_words_the_archive_added_to_a_pages_title_are_said_to_be_its_own(client, cast):
    # The loader stores what attribution.tell_apart made of two speeches sharing a page's
    # title; here the page's title with a place after it, as 004's 外宣工作会议上的讲话稿[雨山].
    speech = cast["yushan"]
    Speech.objects.filter(pk=speech.pk).update(title=f"{speech.title}[雨山]", title_qualifier="雨山")
    html = html_of(client, speech.get_absolute_url())
    assert f"<dd>{speech.title}[雨山]<span" in html and "方括号内的文字为本馆所加" in html
    assert "方括号内的文字为本馆所加" not in html_of(client, cast["epidemic"].get_absolute_url())


@pytest.mark.django_db
def test_a_near_copy_is_called_another_version_and_an_exact_one_a_repeat(client, cast):
    copy = cast["safety-again"]  # county.txt repeats `safety` word for word
    assert copy.duplicate_kind == "exact"
    assert "内容重复；检索结果显示的是那一篇" in html_of(client, copy.get_absolute_url())
    Speech.objects.filter(pk=copy.pk).update(duplicate_kind="near")
    notice = re.search(r'<p class="notice">(.*?)</p>', html_of(client, copy.get_absolute_url()), re.S).group(1)
    assert "的另一版本，文字有出入；检索结果显示的是那一篇" in notice and "内容重复" not in notice
    cited = client.get(f"/api/speeches/{copy.public_id}/citation").json()
    original = f"http://testserver{cast['safety'].get_absolute_url()}"
    assert f"为 {original} 的另一版本，文字有出入" in cited["gbt7714"] and "内容重复" not in cited["gbt7714"]


def test_a_heading_is_never_marked_up_more_than_one_level_below_the_one_before_it():
    from speeches.models import Section
    from speeches.speech_views import outlined

    # 000 篇十四 survives from its second point on: "二是…" and "三是…" at level 3 of its
    # outline, then "一、…" and "（一）…" of the next part.
    def section(heading, level):
        return Section(heading=heading, level=level)

    sections = outlined(
        [
            section("", 0),
            section("二是", 3),
            section("三是", 3),
            section("一、", 1),
            section("（一）", 2),
            section("一是", 3),
        ]
    )
    assert [s.heading_tag for s in sections[1:]] == ["h2", "h2", "h2", "h3", "h4"]
    assert [s.level for s in sections[1:]] == [3, 3, 1, 2, 3]  # the outline's, for the indent
    # An outline that skips a rank ("一、" then "一是", no "（一）") is not marked up skipping one.
    assert [s.heading_tag for s in outlined([section("一、", 1), section("一是", 3), section("二、", 1)])] == [
        "h2",
        "h3",
        "h2",
    ]


def test_a_paragraph_shows_its_number_and_the_dates_evidence_links_the_paragraph_it_names(client, cast):
    # Citations, bookmarks and the evidence say 第12段; the number was only in a tooltip.
    speech = cast["yushan"]
    html = client.get(speech.get_absolute_url()).content.decode()
    assert re.search(r'<p id="p2"><a class="pilcrow" href="#p2"[^>]*aria-label="第2段的链接（¶2）">¶2</a>', html)
    evidence = [fact for fact in speech.attribution.values() if isinstance(fact, dict) and fact.get("paragraph")]
    assert evidence
    for fact in evidence:
        assert f'<a href="#p{fact["paragraph"]}">第 {fact["paragraph"]} 段</a>' in html
