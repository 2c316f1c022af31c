"""Bookmarks: sign up, bookmark a speech or paragraph with a note and tags, list, filter,
edit, remove, export; each user sees only their own; bookmarks outlive re-ingests.
The speeches are the cast's (speeches/tests/cast.py)."""

import csv
import io
from dataclasses import replace

import pytest
from django.contrib.auth.models import User
from django.db import transaction
from django.test import Client

from speeches.bookmarks import gone_note, normalize_tags, paragraphs_of
from speeches.ingest.identity import content_fingerprint
from speeches.ingest.types import ParsedSection
from speeches.loading import ingest_bytes, load_parsed, remove_document
from speeches.models import Bookmark, Document, Speech, SpeechAlias
from speeches.tests.cast import CITY, parsed_document, raw_bytes
from speeches.tests.page_html import described_by, one

pytestmark = pytest.mark.django_db


@pytest.fixture
def alice(client):
    user = User.objects.create_user("alice", password="a-long-passphrase-1")
    client.force_login(user)
    return user


@pytest.fixture
def speech(cast):
    """The cast's yushan: six paragraphs, the third a heading."""
    return cast["yushan"]


def ingest_city():
    """The cast's city.txt (four speeches, yushan first) stored by the loader, and as parsed."""
    parsed = parsed_document(CITY)
    return Document.objects.get(pk=ingest_bytes(raw_bytes(CITY), CITY.name, parsed=parsed).document_id), parsed


def add(client, speech, paragraph="", note="", tags=""):
    return client.post(
        "/bookmarks/add/", {"public_id": speech.public_id, "paragraph": paragraph, "note": note, "tags": tags}
    )


def test_tags_are_split_on_chinese_and_western_commas_and_kept_once():
    assert normalize_tags("疫情，基层治理 , 疫情、 ,") == "疫情, 基层治理"


def sign_up(client, username: str, next_url: str):
    password = "Zhong-Wen-2026!"
    data = {"username": username, "password1": password, "password2": password, "next": next_url}
    return client.post("/accounts/signup/", data)


def test_a_visitor_can_sign_up_and_is_signed_in_and_sent_back(client, speech):
    response = sign_up(client, "bob", speech.get_absolute_url())
    assert response.status_code == 302 and response["Location"] == speech.get_absolute_url()
    assert "我的书签" in client.get(speech.get_absolute_url()).content.decode()


def test_a_sign_up_without_a_page_to_return_to_says_it_signed_in_on_the_home_page(client, db):
    response = sign_up(client, "carol", "")
    assert response.status_code == 302 and response["Location"] == "/"
    assert "注册成功，已登录为 carol。" in client.get("/").content.decode()


def test_a_sign_up_sent_back_to_a_page_leaves_no_message_for_a_later_one(client, speech):
    sign_up(client, "dave", "/search/?q=工作")
    assert "注册成功" not in client.get(speech.get_absolute_url()).content.decode()


def test_sign_up_refuses_a_foreign_next_url(client, db):
    response = sign_up(client, "eve", "https://evil.example/")
    assert response.status_code == 302 and response["Location"] == "/"


def test_the_sign_in_page_is_in_chinese_and_signs_in(client, db):
    User.objects.create_user("carol", password="a-long-passphrase-1")
    assert "登录" in client.get("/accounts/login/").content.decode()
    response = client.post("/accounts/login/", {"username": "carol", "password": "a-long-passphrase-1"})
    assert response.status_code == 302 and "_auth_user_id" in client.session


def test_bookmark_pages_ask_a_visitor_to_sign_in(client, speech):
    for url in ("/bookmarks/", "/bookmarks/export.csv", "/bookmarks/export.bib"):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/?next=")
    assert add(client, speech).status_code == 302 and not Bookmark.objects.exists()


def test_a_paragraph_bookmark_keeps_its_note_and_tags_and_is_listed(client, alice, speech):
    response = add(client, speech, paragraph="p3", note="引用于第二章", tags="疫情，教育")
    assert response.status_code == 302 and response["Location"] == f"{speech.get_absolute_url()}#p3"
    mark = Bookmark.objects.get(user=alice)
    assert (mark.public_id, mark.paragraph, mark.title) == (speech.public_id, "p3", speech.title)
    assert mark.note == "引用于第二章" and mark.tag_list == ["疫情", "教育"]
    assert mark.excerpt == speech.paragraphs()[2][:60] == "一、充分肯定城市管理工作取得的成绩"
    html = client.get("/bookmarks/").content.decode()
    assert f'href="/speeches/{speech.public_id}/#p3"' in html and "引用于第二章" in html and "第3段" in html


def test_the_confirmation_of_a_paragraph_bookmark_is_shown_just_above_that_paragraph(client, alice, speech):
    add(client, speech, paragraph="p4")
    html = client.get(speech.get_absolute_url()).content.decode()
    assert html.count("已加入我的书签") == 1
    confirmation = html.index("已加入我的书签（第4段）")
    assert html.index('id="p3"') < confirmation < html.index('id="p4"')
    # Not at the top of the page, where the page (opened at #p4) does not show it.
    assert confirmation > html.index('class="speech-text"')


def test_bookmarking_the_same_place_again_adds_to_its_note_and_tags_and_never_wipes_them(client, alice, speech):
    # The speech page's form is empty whatever was saved: a second save replaced the note
    # and the tags with what it held (nothing), and said only 已加入我的书签.
    add(client, speech, note="first", tags="疫情, 测试")
    add(client, speech, note="second", tags="基层")
    response = add(client, speech)
    add(client, speech, paragraph="p2")
    rows = Bookmark.objects.order_by("paragraph").values_list("paragraph", "note", "tags")
    assert list(rows) == [("", "first\nsecond", "疫情, 测试, 基层"), ("p2", "", "")]
    assert "书签已更新，备注和标签已并入原有的" in client.get(response.url).content.decode()


def test_tags_that_would_pass_500_characters_once_merged_are_refused_not_cut(client, alice, speech):
    long = ", ".join(f"长标签{n:04d}" for n in range(50))  # 448 characters
    add(client, speech, tags=long)
    more = ", ".join(f"新标签{n}" for n in range(10))
    assert len(f"{long}, {more}") > 500
    response = add(client, speech, tags=more)
    assert Bookmark.objects.get().tags == long
    assert "书签未保存：标签加上已有的超过 500 个字符" in client.get(response.url).content.decode()


def test_a_malformed_paragraph_is_refused(client, alice, speech):
    add(client, speech, paragraph="<script>")
    assert not Bookmark.objects.exists()


def test_a_paragraph_the_speech_does_not_have_is_refused_with_a_reason(client, alice, speech):
    count = len(paragraphs_of(speech))
    response = add(client, speech, paragraph=f"p{count + 1}")
    assert not Bookmark.objects.exists()
    page = client.get(response.url).content.decode()
    assert f"本篇没有第 {count + 1} 段（共 {count} 段）" in page
    add(client, speech, paragraph=f"p{count}")
    mark = Bookmark.objects.get()
    client.post(f"/bookmarks/{mark.pk}/edit/", {"paragraph": "p999", "note": "", "tags": ""})
    mark.refresh_from_db()
    assert mark.paragraph == f"p{count}"


def test_a_refused_edit_names_the_field_in_chinese_beside_it_and_keeps_what_was_typed(client, alice, speech):
    add(client, speech, note="原来的备注")
    mark = Bookmark.objects.get()
    too_long = "标签" * 300
    response = client.post(f"/bookmarks/{mark.pk}/edit/", {"paragraph": "", "note": "新的备注", "tags": too_long})
    html = response.content.decode()
    mark.refresh_from_db()
    assert response.status_code == 200 and mark.note == "原来的备注"
    tags = one(html, "input", name="tags")
    assert tags.attrs["aria-invalid"] == "true" and "autofocus" in tags.attrs and tags.attrs["value"] == too_long
    assert "500" in described_by(html, tags)
    assert one(html, "textarea", name="note").content == "新的备注"
    summary = one(html, role="alert")
    assert "标签（用逗号分隔）：" in summary.content and "tags" not in summary.content


def test_a_note_or_tags_too_long_are_refused_in_a_sentence_naming_the_field(client, alice, speech):
    add(client, speech)
    mark = Bookmark.objects.get()
    response = client.post(f"/bookmarks/{mark.pk}/edit/", {"paragraph": "", "note": "注" * 2100, "tags": "标" * 600})
    html = response.content.decode()
    mark.refresh_from_db()
    assert mark.note == "" and mark.tags == ""
    assert "备注太长：最多 2000 个字符（现在 2100 个）。" in described_by(html, one(html, "textarea", name="note"))
    assert "标签太长：最多 500 个字符（现在 600 个）。" in described_by(html, one(html, "input", name="tags"))
    assert "该变量" not in html


def test_a_bookmarked_speech_whose_title_the_archive_supplied_is_listed_in_brackets(client, alice, cast):
    style = cast["style"]
    assert style.title_supplied
    add(client, style)
    assert f">[{style.title}]</a>" in client.get("/bookmarks/").content.decode()
    # and on the page that edits it
    mark = Bookmark.objects.get(public_id=style.public_id)
    assert f">[{style.title}]</a>" in client.get(f"/bookmarks/{mark.pk}/edit/").content.decode()


def test_the_speech_page_shows_what_is_already_bookmarked(client, alice, speech):
    add(client, speech, paragraph="p4")
    html = client.get(speech.get_absolute_url()).content.decode()
    assert "★ 已收藏" in html and 'href="#p4">第4段</a>' in html


def test_my_bookmarks_filter_by_tag_and_by_words(client, alice, cast):
    one, two = cast["yushan"], cast["epidemic"]
    add(client, one, note="森林防火对照", tags="对照, 方法")
    add(client, two, tags="对照组")
    by_tag = client.get("/bookmarks/", {"tag": "对照"}).content.decode()
    assert f"/speeches/{one.public_id}/" in by_tag and f"/speeches/{two.public_id}/" not in by_tag
    by_words = client.get("/bookmarks/", {"q": "森林"}).content.decode()
    assert f"/speeches/{one.public_id}/" in by_words and f"/speeches/{two.public_id}/" not in by_words


def test_the_tag_chosen_is_marked_by_more_than_its_colour_and_the_pages_are_a_named_navigation(client, alice, cast):
    add(client, cast["yushan"], tags="对照, 方法")
    html = client.get("/bookmarks/", {"tag": "对照"}).content.decode()
    chosen = one(html, "a", aria_current="true")
    assert chosen.content == "✓ 对照" and "current" in chosen.attrs["class"]
    assert one(client.get("/bookmarks/").content.decode(), "a", aria_current="true").content == "全部"
    Bookmark.objects.bulk_create(
        Bookmark(user=alice, public_id=cast["yushan"].public_id, paragraph=f"p{n}") for n in range(1, 60)
    )
    assert one(client.get("/bookmarks/").content.decode(), "nav", class_="pager").attrs["aria-label"] == "分页"


def test_a_bookmark_can_be_edited_and_removed(client, alice, speech):
    add(client, speech, paragraph="p2", note="old")
    mark = Bookmark.objects.get()
    client.post(f"/bookmarks/{mark.pk}/edit/", {"paragraph": "p2", "note": "new note", "tags": "甲，乙"})
    mark.refresh_from_db()
    assert mark.note == "new note" and mark.tags == "甲, 乙"
    # The list's 删除 asks first, showing the note that would go; nothing is deleted by asking.
    assert f'href="/bookmarks/{mark.pk}/delete/">删除</a>' in client.get("/bookmarks/").content.decode()
    asked = client.get(f"/bookmarks/{mark.pk}/delete/").content.decode()
    assert "删除这个书签？" in asked and "new note" in asked and Bookmark.objects.exists()
    assert client.post(f"/bookmarks/{mark.pk}/delete/").status_code == 302
    assert not Bookmark.objects.exists()


def test_a_user_never_sees_or_touches_another_users_bookmarks(client, alice, speech):
    add(client, speech, note="alice's secret")
    mark = Bookmark.objects.get()
    bob = Client()
    bob.force_login(User.objects.create_user("bob", password="another-passphrase-2"))
    assert "alice's secret" not in bob.get("/bookmarks/").content.decode()
    assert bob.get(f"/bookmarks/{mark.pk}/edit/").status_code == 404
    assert bob.post(f"/bookmarks/{mark.pk}/edit/", {"note": "hacked"}).status_code == 404
    assert bob.post(f"/bookmarks/{mark.pk}/delete/").status_code == 404
    assert speech.public_id not in bob.get("/bookmarks/export.csv").content.decode()
    assert speech.public_id not in bob.get("/bookmarks/export.bib").content.decode()
    mark.refresh_from_db()
    assert mark.note == "alice's secret"


def test_bookmark_forms_need_a_csrf_token(speech):
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(User.objects.create_user("dave", password="a-long-passphrase-1"))
    assert strict.post("/bookmarks/add/", {"public_id": speech.public_id}).status_code == 403


def test_bookmarks_export_as_csv_with_links_notes_and_tags(client, alice, speech):
    add(client, speech, paragraph="p3", note="注释, with comma", tags="疫情")
    response = client.get("/bookmarks/export.csv")
    assert response["Content-Type"].startswith("text/csv") and "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == [
        "id",
        "paragraph",
        "title",
        "title_supplied",
        "url",
        "note",
        "tags",
        "created",
        "fragment",
        "status",
        "reason",
        "moved_to",
    ]
    assert rows[1][:7] + rows[1][8:] == [
        speech.public_id,
        "p3",
        speech.title,
        "False",
        f"http://testserver/speeches/{speech.public_id}/#p3",
        "注释, with comma",
        "疫情",
        "False",
        "",
        "",
        "",
    ]


def test_the_csv_of_bookmarks_says_when_the_archive_supplied_a_title(client, alice, speech):
    Speech.objects.filter(pk=speech.pk).update(title_supplied=True)
    add(client, speech)
    rows = list(csv.reader(io.StringIO(client.get("/bookmarks/export.csv").content.decode("utf-8-sig"))))
    assert rows[1][2:4] == [speech.title, "True"]


def test_bookmarks_export_as_bibtex_entries(client, alice, speech):
    add(client, speech, paragraph="p3")
    add(client, speech)
    bib = client.get("/bookmarks/export.bib").content.decode()
    assert bib.count("@misc{") == 2
    assert f"@misc{{jianghua-{speech.public_id}-p3," in bib and f"@misc{{jianghua-{speech.public_id}," in bib
    assert f"url = {{http://testserver/speeches/{speech.public_id}/#p3}}" in bib


def test_bookmark_exports_carry_the_readers_note_and_tags(client, alice, speech):
    add(client, speech, paragraph="p3", note="城市品质提升：“五个统筹”", tags="城建，统筹")
    bib = client.get("/bookmarks/export.bib").content.decode()
    assert "  annote = {城市品质提升：“五个统筹”}" in bib and "  keywords = {城建, 统筹}" in bib
    assert bib.rstrip().endswith("}") and bib.count("{") == bib.count("}")
    ris = client.get("/bookmarks/export.ris").content.decode()
    assert "KW  - 城建\nKW  - 统筹\n" in ris and "N1  - 城市品质提升：“五个统筹”\n" in ris
    assert ris.endswith("ER  - \n")


@pytest.mark.usefixtures("empty_archive", "fresh_index")
def test_a_bookmark_survives_a_reingest_that_changed_the_text(client, alice, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    document, parsed = ingest_city()
    speech = document.speeches.get(ordinal=1)
    add(client, speech, paragraph="p2", note="keep me")
    # A pipeline change: each speech gains a rejoined sentence; rows are made anew (with
    # the row numbers of the ids they keep), and bookmarks name speeches by public id.
    changed = replace(
        parsed,
        speeches=tuple(
            replace(s, text=s.text + "\n新增的一句话。", fingerprint=content_fingerprint(s.text + "新增的一句话。"))
            for s in parsed.speeches
        ),
    )
    with transaction.atomic():
        load_parsed(document, changed)
    assert Speech.objects.get(pk=speech.pk).text.endswith("新增的一句话。")
    html = client.get("/bookmarks/").content.decode()
    assert f'href="/speeches/{speech.public_id}/#p2"' in html and "keep me" in html
    page = client.get(f"/speeches/{speech.public_id}/")
    assert page.status_code == 200 and speech.title in page.content.decode()
    assert "新增的一句话" in client.get(f"/api/speeches/{speech.public_id}").json()["text"]


def test_bookmarks_export_as_ris_records(client, alice, speech):
    add(client, speech, paragraph="p3")
    response = client.get("/bookmarks/export.ris")
    ris = response.content.decode()
    assert response["Content-Type"].startswith("application/x-research-info-systems")
    assert ris.startswith("TY  - ELEC\n") and ris.count("ER  - \n") == 1
    assert f"UR  - http://testserver/speeches/{speech.public_id}/#p3\n" in ris


@pytest.mark.usefixtures("empty_archive", "fresh_index")
def test_a_bookmark_of_a_speech_merged_by_a_reingest_says_so_and_still_leads_to_it(client, alice, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    document, parsed = ingest_city()
    # A pipeline change joins epidemic (2) to the longer yushan (1), which keeps its id.
    kept, joined = document.speeches.get(ordinal=1), document.speeches.get(ordinal=2)
    add(client, joined, note="merged later")
    two, three, *rest = parsed.speeches
    merged = replace(two, text=two.text + "\n" + three.text, fingerprint=content_fingerprint(two.text + three.text))
    with transaction.atomic():
        load_parsed(document, replace(parsed, speeches=(merged, *rest)))
    html = client.get("/bookmarks/").content.decode()
    assert "merged later" in html and "已并入另一篇" in html
    response = client.get(f"/speeches/{joined.public_id}/")
    assert response.status_code == 301 and response["Location"] == f"/speeches/{kept.public_id}/"


def rejoin_first_two_paragraphs(speech):
    paragraphs = speech.paragraphs
    text = "\n".join((paragraphs[0] + paragraphs[1],) + paragraphs[2:])
    sections = (ParsedSection(1, "", 0, tuple(text.split("\n"))),)
    return replace(speech, text=text, sections=sections, fingerprint=content_fingerprint(text))


@pytest.mark.usefixtures("empty_archive", "fresh_index")
def test_a_paragraph_bookmark_finds_its_paragraph_after_a_reingest_renumbered_them(client, alice, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    document, parsed = ingest_city()
    speech = document.speeches.get(ordinal=1)
    fifth = speech.paragraphs()[4]
    assert fifth == "二、扎实做好今年的重点工作"
    add(client, speech, paragraph="p5")
    assert Bookmark.objects.get().excerpt == fifth[:60]
    with transaction.atomic():
        load_parsed(document, replace(parsed, speeches=tuple(rejoin_first_two_paragraphs(s) for s in parsed.speeches)))
    assert Speech.objects.get(public_id=speech.public_id).paragraphs()[3] == fifth
    html = client.get("/bookmarks/").content.decode()
    assert f'href="/speeches/{speech.public_id}/#p4"' in html
    assert f"http://testserver/speeches/{speech.public_id}/#p4" in client.get("/bookmarks/export.csv").content.decode()


def exported(client) -> tuple[dict[str, dict], str, str]:
    """The bookmark CSV's rows by id, the BibTeX and the RIS."""
    text = client.get("/bookmarks/export.csv").content.decode("utf-8-sig")
    rows = {row["id"]: row for row in csv.DictReader(io.StringIO(text))}
    return (
        rows,
        client.get("/bookmarks/export.bib").content.decode(),
        client.get("/bookmarks/export.ris").content.decode(),
    )


def test_a_bookmarked_fragment_is_marked_so_in_every_export(client, alice, cast):
    fragment, whole = cast["fragment"], cast["yushan"]
    add(client, fragment)
    add(client, whole)
    rows, bib, ris = exported(client)
    assert (rows[fragment.public_id]["fragment"], rows[whole.public_id]["fragment"]) == ("True", "False")
    note = "残篇（来源网页仅存部分）"
    entry = bib[bib.index(f"@misc{{jianghua-{fragment.public_id},") :]
    assert f"  note = {{{note}；来源文件：含山县工作会议讲话 " in entry[: entry.index("\n}")]
    assert bib.count(note) == 1
    record = ris[ris.index(f"UR  - http://testserver/speeches/{fragment.public_id}/") :]
    assert f"N1  - {note}\n" in record[: record.index("ER  - ")] and ris.count(note) == 1


def test_a_paragraph_bookmarks_bibtex_escapes_the_hash_inside_url_only(client, alice, speech):
    add(client, speech, paragraph="p3")
    url = f"http://testserver/speeches/{speech.public_id}/"
    bib = client.get("/bookmarks/export.bib").content.decode()
    assert f"  howpublished = {{\\url{{{url}\\#p3}}}},\n  url = {{{url}#p3}},\n" in bib
    assert f"UR  - {url}#p3\n" in client.get("/bookmarks/export.ris").content.decode()
    rows, _, _ = exported(client)
    assert rows[speech.public_id]["url"] == f"{url}#p3"


def test_a_removed_bookmarks_note_says_why_as_its_410_page_does():
    assert gone_note(SpeechAlias(reason="deleted")) == "已从档案中移除（deleted）：其来源文件已由管理员从档案中删除"
    assert gone_note(SpeechAlias(reason="removed")) == (
        "已从档案中移除（removed）：来源文件重新处理后已不再作为单独一篇存在"
    )
    assert gone_note(SpeechAlias(reason="merged")) == "已从档案中移除（merged）：它曾并入另一篇，而那一篇后来也被移除"
    assert gone_note(None) == "已从档案中移除"


def test_a_bookmark_whose_speech_was_deleted_says_so_in_every_export_and_keeps_its_title_bracketed(client, alice, cast):
    # style's title is the archive's ([关于作风建设的讲话]); its page, reprint.txt, is deleted:
    # its id answers 410, and the bookmark still cites the title as the archive's.
    style = cast["style"]
    add(client, style, note="作风建设一例")
    remove_document(cast.documents["reprint.txt"])
    url = f"http://testserver/speeches/{style.public_id}/"
    assert client.get(url).status_code == 410
    rows, bib, ris = exported(client)
    row = rows[style.public_id]
    assert (row["title"], row["title_supplied"], row["url"], row["fragment"]) == ("关于作风建设的讲话", "True", url, "")
    assert "  title = {{[关于作风建设的讲话]}},\n" in bib and "TI  - [关于作风建设的讲话]\n" in ris
    assert (row["status"], row["reason"], row["moved_to"]) == ("gone", "deleted", "")
    note = "已从档案中移除（deleted）：其来源文件已由管理员从档案中删除"
    notes = f"{note}；题名为本馆所拟"
    assert f"  url = {{{url}}},\n" in bib and f"  note = {{{notes}}},\n  annote = {{作风建设一例}}\n" in bib
    assert f"UR  - {url}\n" in ris and f"N1  - {note}\n" in ris and "N1  - 作风建设一例\n" in ris
    # The list says who removed it, as the 410 page does: not a re-processing.
    page = client.get("/bookmarks/").content.decode()
    assert "这篇讲话的来源文件已由管理员从档案中删除，链接会说明原因。" in page and "重新处理后" not in page


@pytest.mark.usefixtures("empty_archive", "fresh_index")
def test_a_bookmark_of_a_speech_a_reingest_removed_names_the_reason_and_its_source(client, alice, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    document, parsed = ingest_city()
    # The cast's retitled, the page's last speech, is no speech of its own after a re-ingest.
    dropped = document.speeches.get(ordinal=4)
    add(client, dropped, paragraph="p2")
    with transaction.atomic():
        load_parsed(document, replace(parsed, speeches=parsed.speeches[:3]))
    assert SpeechAlias.objects.get(public_id=dropped.public_id).reason == "removed"
    rows, bib, ris = exported(client)
    row = rows[dropped.public_id]
    # Its title was the page's own when it was bookmarked (the bookmark keeps that).
    assert (row["status"], row["reason"], row["title_supplied"], row["fragment"]) == ("gone", "removed", "False", "")
    note = "已从档案中移除（removed）：来源文件重新处理后已不再作为单独一篇存在"
    source = f"来源文件：马鞍山市领导讲话选编 http://testserver/documents/{document.pk}/"
    assert f"  note = {{第2段；{note}；{source}}}\n" in bib
    assert f"N1  - 第2段\nN1  - {note}\nN1  - {source}\n" in ris


def test_a_bookmark_whose_id_now_leads_to_another_speech_cites_that_one_and_says_so(client, alice, cast):
    # city.txt deleted, yushan's id leads to its copy in reprint.txt (yushan-copy).
    yushan, copy = cast["yushan"], cast["yushan-copy"]
    add(client, yushan, paragraph="p3")
    remove_document(cast.documents["city.txt"])
    saved, now = (f"http://testserver/speeches/{s.public_id}/" for s in (yushan, copy))
    assert client.get(saved)["Location"] == f"/speeches/{copy.public_id}/"
    rows, bib, ris = exported(client)
    row = rows[yushan.public_id]
    # The same title as the speech it leads to: its flag is that one's.
    assert (row["title"], row["title_supplied"], row["url"], row["fragment"]) == (
        yushan.title,
        "False",
        f"{saved}#p3",
        "",
    )
    assert (row["status"], row["reason"], row["moved_to"]) == ("moved", "deleted", f"{now}#p3")
    remark = f"收藏的 {saved}（{yushan.title}）现转至本篇（deleted）"
    assert f"@misc{{jianghua-{copy.public_id}-p3," in bib and f"  url = {{{now}#p3}},\n" in bib
    assert f"  note = {{第3段；{remark}；讲话人职务：市长；" in bib
    assert f"UR  - {now}#p3\n" in ris and f"N1  - 第3段\nN1  - {remark}\n" in ris
    page = client.get("/bookmarks/").content.decode()
    assert "来源文件已由管理员删除，链接会自动跳转到另一来源文件中的同一篇" in page and "重新处理后" not in page
    # The speech it leads to, bookmarked at the same paragraph: two entries, two keys.
    add(client, copy, paragraph="p3")
    bib = client.get("/bookmarks/export.bib").content.decode()
    assert [line for line in bib.splitlines() if line.startswith("@misc{")] == [
        f"@misc{{jianghua-{copy.public_id}-p3,",
        f"@misc{{jianghua-{copy.public_id}-p3-2,",
    ]


def test_a_note_or_tag_that_reads_as_a_formula_is_exported_as_text(client, alice, speech):
    add(client, speech, paragraph="p3", note='=HYPERLINK("http://example.com","点击")', tags="@cmd")
    rows = list(csv.DictReader(io.StringIO(client.get("/bookmarks/export.csv").content.decode("utf-8-sig"))))
    assert rows[0]["note"] == '\'=HYPERLINK("http://example.com","点击")' and rows[0]["tags"] == "'@cmd"


def test_a_bookmark_saved_before_it_kept_the_title_flag_claims_none_once_its_speech_is_gone(client, alice, cast):
    style = cast["style"]
    add(client, style)
    Bookmark.objects.update(title_supplied=None)  # as a bookmark saved before 0019 holds it
    remove_document(cast.documents["reprint.txt"])
    rows, bib, ris = exported(client)
    assert rows[style.public_id]["title_supplied"] == ""
    assert "  title = {{关于作风建设的讲话}},\n" in bib
