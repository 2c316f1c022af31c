"""Saved searches and the search digest: save from the results page (once), list and
remove on the researcher's page (their own only), set the address; the digest mails
each researcher once about speeches that arrived after they saved, never again, never
a copy or a re-ingest of what they already had (speeches/alerts.py, speeches/digest.py)."""

from __future__ import annotations

from io import StringIO
from urllib.parse import quote

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from speeches.digest import send_digests
from speeches.index_check import PENDING_MARK, retry_pending
from speeches.loading import ingest_bytes
from speeches.models import Document, MailConfirmation, SavedSearch, Speech
from speeches.search import SearchParams, search_speeches
from speeches.tests.page_html import described_by, elements, one

pytestmark = pytest.mark.django_db

SITE = "https://archive.example.org"


def researcher(name: str, email: str, password: str = "a-long-passphrase-1") -> User:
    """A researcher whose address its owner confirmed (speeches/mail_confirmation.py)."""
    user = User.objects.create_user(name, email=email, password=password)
    MailConfirmation.objects.create(user=user, address=email, confirmed_at=timezone.now())
    return user


@pytest.fixture
def alice(client):
    user = researcher("alice", "alice@example.org")
    client.force_login(user)
    return user


def save(client, query: str):
    return client.post("/alerts/save/", {"query": query})


def page(title: str, *paragraphs: str) -> bytes:
    """A scraped page holding one speech."""
    return "\n".join([title, "同志们：", *paragraphs, ""]).encode()


# Three speeches unlike each other and the seed pages: two hold 量子通信, one does not.
OLD_QUANTUM = page(
    "在全市量子通信产业发展推进会上的讲话",
    "今天我们召开全市量子通信产业发展推进会，主要任务是总结去年量子通信试点工作，部署今年的重点任务。",
    "一、充分认识发展量子通信产业的重要意义",
    "近年来，我市量子通信骨干网建设取得明显进展，建成城域网络三条，接入用户单位四十余家。",
    "二、加强组织领导，确保任务落到实处",
    "各级各部门要高度重视，明确责任分工，加强协调配合，确保各项任务按期完成。",
)
NEW_QUANTUM = page(
    "在全省科技创新大会上的讲话",
    "这次大会的主要任务是表彰一批科技创新先进集体和个人，动员全省上下加快建设创新型省份。",
    "一、过去五年科技创新取得的成绩",
    "全省研发投入年均增长百分之十二，新建重点实验室二十六个，在量子通信、新材料、生物医药等领域取得一批原创成果。",
    "二、下一步的重点工作",
    "要深化科技体制改革，完善科技成果转化机制，让创新活力竞相迸发。",
)
FLOODS = page(
    "在全县防汛抗旱工作会议上的讲话",
    "当前已进入主汛期，气象部门预测今年降雨偏多，防汛形势十分严峻。",
    "一、克服麻痹思想，切实增强做好防汛工作的责任感",
    "各乡镇要立即开展拉网式隐患排查，对病险水库、山塘、堤防逐一落实责任人。",
    "二、突出工作重点，全力以赴打好防汛抗旱这场硬仗",
    "要加强值班值守，严格执行领导带班和二十四小时值班制度，确保信息畅通。",
)


def ingest(raw: bytes, name: str, capture) -> Speech:
    """Ingest a page, its index updated as after a real commit; its one canonical speech."""
    with capture(execute=True):
        document = Document.objects.get(pk=ingest_bytes(raw, name).document_id)
    return document.speeches.get()


def digest(mailoutbox) -> list:
    sent = len(mailoutbox)
    send_digests()
    return mailoutbox[sent:]


# ---- Saving from the results page ----------------------------------------------------------------


def test_a_researcher_saves_a_search_from_the_results_page_and_saving_it_again_keeps_one(client, alice, cast):
    html = client.get("/search/", {"q": "安全生产", "sort": "year"}).content.decode()
    assert 'action="/alerts/save/"' in html and "保存此检索" in html
    query = "q=" + quote("安全生产")
    assert f'name="query" value="{query}"' in html
    response = save(client, f"{query}&sort=year&page=2")
    assert response.status_code == 302 and response["Location"] == "/alerts/"
    save(client, query)
    saved = SavedSearch.objects.get(user=alice)
    assert (saved.query, saved.label) == (query, "安全生产")
    assert "已保存此检索" in client.get("/search/", {"q": "安全生产"}).content.decode()


def test_a_saved_search_keeps_its_filters_and_names_them(client, alice, cast):
    topic = next(f for f in search_speeches(params=SearchParams(q="工作")).facets["topic"] if f.value == "epidemic")
    save(client, f"topic={topic.value}&q=" + quote("工作"))
    saved = SavedSearch.objects.get()
    assert saved.query == "q=" + quote("工作") + f"&topic={topic.value}"
    assert saved.label == f"工作 · 主题：{topic.label}" == "工作 · 主题：疫情防控"


def test_a_visitor_is_asked_to_sign_in_and_cannot_save(client, cast):
    html = client.get("/search/", {"q": "安全生产"}).content.decode()
    assert "登录后可保存此检索" in html and 'action="/alerts/save/"' not in html
    response = save(client, "q=" + quote("安全生产"))
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/?next=/search/")
    assert not SavedSearch.objects.exists()


def test_saving_needs_a_csrf_token(cast):
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(User.objects.create_user("dave", password="a-long-passphrase-1"))
    assert save(strict, "q=" + quote("安全生产")).status_code == 403


def test_a_search_with_neither_words_nor_filters_is_not_saved(client, alice, db):
    assert save(client, "q=+").status_code == 302
    assert save(client, "sort=year").status_code == 302
    assert not SavedSearch.objects.exists()


def test_a_query_with_nothing_to_look_for_is_not_saved_beside_a_filter_either(client, alice, db):
    # Saved, its digest mailed every new speech of the year, those saying 安全 among them.
    response = save(client, "q=" + quote("-安全") + "&year=2017")
    assert response.status_code == 302 and not SavedSearch.objects.exists()
    assert "检索词中没有要查找的词语，无法保存。" in client.get(response["Location"]).content.decode()


def test_a_search_too_long_to_save_says_so_on_the_search_page_not_with_a_bad_request(client, alice, db):
    # The results page offers to save a query of 2,000 characters; percent-encoded, the
    # way back to it was past what Django redirects to, and the answer a 400 page.
    response = save(client, "q=" + quote("安" * 1900))
    assert response.status_code == 302 and response["Location"] == "/search/"
    assert "检索条件过长，无法保存。" in client.get(response["Location"]).content.decode()
    assert not SavedSearch.objects.exists()


# ---- The researcher's page ------------------------------------------------------------------------


def test_the_page_lists_the_owners_searches_with_links_to_run_and_follow_them(client, alice, db):
    save(client, "q=" + quote("量子通信"))
    bob = User.objects.create_user("bob", password="another-passphrase-2")
    SavedSearch.objects.create(
        user=bob, query="q=" + quote("防汛抗旱"), label="防汛抗旱", checked_at="2020-01-01T00:00Z"
    )
    html = client.get("/alerts/").content.decode()
    query = "q=" + quote("量子通信")
    assert f'href="/search/?{query}"' in html and f'href="/search/feed.atom?{query}"' in html
    assert "防汛抗旱" not in html
    assert "只有保存之后新入库的讲话才会通知" in html
    assert 'href="/alerts/"' in client.get("/").content.decode()  # the nav link beside 我的书签


def test_the_page_asks_a_visitor_to_sign_in(client, db):
    response = client.get("/alerts/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/?next=/alerts/")


def test_a_saved_search_is_removed_by_its_owner_and_is_404_for_anyone_else(client, alice, db):
    save(client, "q=" + quote("量子通信"))
    saved = SavedSearch.objects.get()
    bob = Client()
    bob.force_login(User.objects.create_user("bob", password="another-passphrase-2"))
    assert bob.post(f"/alerts/{saved.pk}/delete/").status_code == 404
    assert bob.get(f"/alerts/{saved.pk}/delete/").status_code == 404
    assert SavedSearch.objects.filter(pk=saved.pk).exists()
    assert client.post(f"/alerts/{saved.pk}/delete/").status_code == 302
    assert not SavedSearch.objects.exists()
    assert client.get(f"/alerts/{saved.pk}/delete/").status_code == 404


def test_deleting_a_saved_search_asks_first_on_a_page_of_its_own(client, alice, db):
    save(client, "q=" + quote("量子通信"))
    saved = SavedSearch.objects.get()
    listing = client.get("/alerts/").content.decode()
    # The list links to the question; it holds no form that deletes in one tap.
    assert f'href="/alerts/{saved.pk}/delete/"' in listing and f'action="/alerts/{saved.pk}/delete/"' not in listing
    question = client.get(f"/alerts/{saved.pk}/delete/")
    html = question.content.decode()
    assert question.status_code == 200 and SavedSearch.objects.exists()
    assert "删除这个保存的检索？" in html and "量子通信" in html and 'href="/alerts/">取消</a>' in html
    client.post(f"/alerts/{saved.pk}/delete/")
    assert not SavedSearch.objects.exists()


def test_the_researcher_sets_changes_and_clears_the_address_the_digest_goes_to(client, alice):
    client.post("/alerts/email/", {"email": "alice@uni.example.edu"})
    alice.refresh_from_db()
    assert alice.email == "alice@uni.example.edu"
    client.post("/alerts/email/", {"email": "not an address"})
    alice.refresh_from_db()
    assert alice.email == "alice@uni.example.edu"
    client.post("/alerts/email/", {"email": ""})
    alice.refresh_from_db()
    assert alice.email == "" and "还没有通知邮箱" in client.get("/alerts/").content.decode()


def test_an_address_refused_is_shown_again_marked_as_wrong_with_its_error_not_as_a_success(client, alice):
    response = client.post("/alerts/email/", {"email": "not an address"})
    html = response.content.decode()
    assert response.status_code == 200
    field = one(html, "input", name="email")
    assert field.attrs["value"] == "not an address" and field.attrs["aria-invalid"] == "true"
    assert "autofocus" in field.attrs and "邮箱地址无效" in described_by(html, field)
    assert "邮箱地址无效" in one(html, role="alert").content
    # No green success box saying it.
    assert not [box for box in elements(html, class_="messages") if "无效" in box.content]


def test_saving_a_search_without_an_address_says_once_that_one_is_missing(client, alice):
    User.objects.filter(pk=alice.pk).update(email="")
    html = client.post("/alerts/save/", {"query": "q=" + quote("量子通信")}, follow=True).content.decode()
    assert "已保存检索" in html and html.count("还没有通知邮箱") == 1


def test_sign_up_takes_an_address_for_the_digest_which_may_be_left_empty(client, db):
    password = "Zhong-Wen-2026!"
    assert 'name="email"' in client.get("/accounts/signup/").content.decode()
    client.post(
        "/accounts/signup/",
        {"username": "erin", "email": "erin@example.org", "password1": password, "password2": password},
    )
    Client().post("/accounts/signup/", {"username": "finn", "password1": password, "password2": password})
    assert dict(User.objects.values_list("username", "email")) == {"erin": "erin@example.org", "finn": ""}


# ---- The digest -----------------------------------------------------------------------------------


@pytest.fixture
def archive(empty_archive, fresh_index, search_engine, settings, tmp_path, django_capture_on_commit_callbacks):
    """An archive holding one speech about 量子通信 before anyone saved a search."""
    settings.MEDIA_ROOT = tmp_path
    settings.SITE_URL = SITE
    return ingest(OLD_QUANTUM, "old.txt", django_capture_on_commit_callbacks)


def test_a_new_matching_speech_is_mailed_once_with_its_permanent_url_and_the_back_catalogue_is_not(
    client, alice, archive, mailoutbox, django_capture_on_commit_callbacks
):
    save(client, "q=" + quote("量子通信"))
    assert digest(mailoutbox) == []  # the speech already there when saving is not news
    new = ingest(NEW_QUANTUM, "new.txt", django_capture_on_commit_callbacks)
    [mail] = digest(mailoutbox)
    assert mail.to == ["alice@example.org"] and "1 篇" in mail.subject
    assert f"{SITE}/speeches/{new.public_id}/" in mail.body and new.title in mail.body
    assert archive.public_id not in mail.body and "【量子通信】" in mail.body
    assert SavedSearch.objects.get().last_sent_at is not None
    assert digest(mailoutbox) == []


def test_a_new_speech_that_does_not_match_sends_nothing(
    client, alice, archive, mailoutbox, django_capture_on_commit_callbacks
):
    save(client, "q=" + quote("量子通信"))
    ingest(FLOODS, "floods.txt", django_capture_on_commit_callbacks)
    assert digest(mailoutbox) == []


def test_speeches_beyond_the_listed_ones_are_counted_with_a_link_to_the_search_newest_first(
    client, alice, archive, mailoutbox, django_capture_on_commit_callbacks, monkeypatch
):
    save(client, "q=" + quote("量子通信"))
    ingest(NEW_QUANTUM, "new.txt", django_capture_on_commit_callbacks)
    monkeypatch.setattr("speeches.digest.LISTED", 0)
    [mail] = digest(mailoutbox)
    # Sorted by relevance, the results page would bury the new speech among the old one.
    assert f"另有 1 篇，见检索结果：{SITE}/search/?q={quote('量子通信')}&sort=newest" in mail.body


def test_a_user_without_an_address_gets_nothing_and_adding_one_later_starts_from_then(
    client, alice, archive, mailoutbox, django_capture_on_commit_callbacks
):
    save(client, "q=" + quote("量子通信"))
    User.objects.filter(pk=alice.pk).update(email="")
    ingest(NEW_QUANTUM, "new.txt", django_capture_on_commit_callbacks)
    assert digest(mailoutbox) == []
    User.objects.filter(pk=alice.pk).update(email="alice@example.org")
    assert digest(mailoutbox) == []


def test_a_copy_of_a_mailed_speech_in_another_file_is_not_mailed_again(
    client, alice, archive, mailoutbox, django_capture_on_commit_callbacks
):
    save(client, "q=" + quote("量子通信"))
    new = ingest(NEW_QUANTUM, "new.txt", django_capture_on_commit_callbacks)
    assert len(digest(mailoutbox)) == 1
    copy = ingest(b"\xe8\xbd\xac\xe8\xbd\xbd\n" + NEW_QUANTUM, "repost.txt", django_capture_on_commit_callbacks)
    assert copy.duplicate_of_id == new.pk
    assert digest(mailoutbox) == []


def test_speeches_parsed_again_keep_their_ids_and_are_not_news(
    client, alice, archive, mailoutbox, django_capture_on_commit_callbacks
):
    save(client, "q=" + quote("量子通信"))
    new = ingest(NEW_QUANTUM, "new.txt", django_capture_on_commit_callbacks)
    assert len(digest(mailoutbox)) == 1
    # A pipeline upgrade parses every stored file again: rows made anew, the same public
    # ids (and, since speeches/loading.py keeps them, the same row numbers and arrival times).
    with django_capture_on_commit_callbacks(execute=True):
        for document in Document.objects.all():
            ingest_bytes(bytes(document.raw), document.original_name, force=True)
    again = Speech.objects.get(public_id=new.public_id)
    assert (again.pk, again.created_at) == (new.pk, new.created_at)
    assert digest(mailoutbox) == []


def test_one_mail_per_researcher_lists_each_of_their_searches_and_each_researcher_gets_their_own(
    client, alice, archive, mailoutbox, django_capture_on_commit_callbacks
):
    save(client, "q=" + quote("量子通信"))
    save(client, "q=" + quote("防汛"))
    bob = Client()
    bob.force_login(researcher("bob", "bob@example.org", "another-passphrase-2"))
    save(bob, "q=" + quote("防汛"))
    ingest(NEW_QUANTUM, "new.txt", django_capture_on_commit_callbacks)
    ingest(FLOODS, "floods.txt", django_capture_on_commit_callbacks)
    mails = {mail.to[0]: mail for mail in digest(mailoutbox)}
    assert set(mails) == {"alice@example.org", "bob@example.org"}
    assert "【量子通信】" in mails["alice@example.org"].body and "【防汛】" in mails["alice@example.org"].body
    assert "2 篇" in mails["alice@example.org"].subject and "量子通信" not in mails["bob@example.org"].body


def test_a_mail_the_server_refuses_is_sent_on_the_next_run(
    client, alice, archive, mailoutbox, settings, django_capture_on_commit_callbacks
):
    save(client, "q=" + quote("量子通信"))
    new = ingest(NEW_QUANTUM, "new.txt", django_capture_on_commit_callbacks)
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_USE_TLS = "127.0.0.1", 9, False  # nothing listens
    assert send_digests().failed == ["alice"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    [mail] = digest(mailoutbox)
    assert new.public_id in mail.body


def test_a_speech_waiting_for_its_index_update_is_mailed_once_the_index_has_it(
    client, alice, archive, mailoutbox, search_engine
):
    if search_engine != "whoosh":
        pytest.skip("the postgres engine writes its rows in the upload's transaction: nothing waits")
    save(client, "q=" + quote("量子通信"))
    ingest_bytes(NEW_QUANTUM, "new.txt")  # committed, but the index update after the commit never ran
    assert Document.objects.filter(error__startswith=PENDING_MARK).count() == 1
    assert digest(mailoutbox) == []
    retry_pending()  # the worker's next round
    assert len(digest(mailoutbox)) == 1


def test_the_command_and_the_upload_worker_send_the_digest(
    client, alice, archive, mailoutbox, django_capture_on_commit_callbacks
):
    save(client, "q=" + quote("量子通信"))
    ingest(NEW_QUANTUM, "new.txt", django_capture_on_commit_callbacks)
    out = StringIO()
    call_command("process_uploads", "--digest-every", "3600", stdout=out)
    assert len(mailoutbox) == 1 and "sent 1 digests (1 speeches)" in out.getvalue()
    out = StringIO()
    call_command("send_search_digests", stdout=out)
    assert len(mailoutbox) == 1 and "sent 0 digests" in out.getvalue()


def test_a_form_sent_from_another_origin_is_refused_saying_so_and_a_missing_token_saying_that(cast):
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(User.objects.create_user("erin", password="a-long-passphrase-1"))
    strict.get("/search/", {"q": "安全生产"})  # sets the CSRF cookie
    token = strict.cookies["csrftoken"].value
    foreign = strict.post(
        "/alerts/save/", {"query": "q=x", "csrfmiddlewaretoken": token}, headers={"origin": "http://evil.example"}
    )
    assert foreign.status_code == 403 and "从本站以外的地址提交" in foreign.content.decode()
    missing = strict.post("/alerts/save/", {"query": "q=x"})
    assert missing.status_code == 403 and "缺少安全令牌" in missing.content.decode()


def test_a_digest_brackets_a_supplied_title_and_marks_an_inferred_year_as_the_page_does(alice):
    from types import SimpleNamespace

    from speeches.digest import digest_text

    speech = Speech(
        public_id="abcdefghij",
        title="在集团20xx年安全环保工作会上的讲话",
        title_supplied=True,
        year=2016,
        date="2016",
        attribution={"date": {"standing": "inferred"}},
    )
    saved = SimpleNamespace(label="安全环保", get_absolute_url=lambda: "/search/?q=安全环保")
    text = digest_text(alice, [SimpleNamespace(saved=saved, speeches=[speech])])
    assert "· [在集团20xx年安全环保工作会上的讲话]（2016年?）\n" in text


# ---- The address: confirmed by its owner, and a way out in every mail ------------------------------


def test_an_address_nobody_confirmed_gets_no_digest_only_one_mail_asking_holding_none_of_the_accounts_words(
    client, archive, mailoutbox, django_capture_on_commit_callbacks
):
    # Anyone may sign up with anyone's address; a digest quotes the searches' words.
    mallory = User.objects.create_user("您的账户已被冻结", password="a-long-passphrase-1")
    client.force_login(mallory)
    client.post("/alerts/email/", {"email": "victim@example.net"})
    [asking] = mailoutbox
    assert asking.to == ["victim@example.net"] and f"{SITE}/alerts/confirm/" in asking.body
    assert "冻结" not in asking.body + asking.subject
    save(client, "q=" + quote("量子通信 OR 请立即访问"))
    ingest(NEW_QUANTUM, "new.txt", django_capture_on_commit_callbacks)
    assert digest(mailoutbox) == []
    # Asked again at once, it is not sent again (a mail bomb), and the page says why.
    response = client.post("/alerts/email/", {"email": "victim@example.net"}, follow=True)
    assert len(mailoutbox) == 1 and "10 分钟内已发过确认邮件" in response.content.decode()
    assert "尚未确认" in client.get("/alerts/").content.decode()


def test_the_owner_confirms_with_a_button_not_by_opening_the_link_and_then_gets_digests(
    client, archive, mailoutbox, django_capture_on_commit_callbacks
):
    carol = User.objects.create_user("carol", password="a-long-passphrase-1")
    client.force_login(carol)
    client.post("/alerts/email/", {"email": "carol@example.org"})
    link = next(line for line in mailoutbox[0].body.splitlines() if "/alerts/confirm/" in line).removeprefix(SITE)
    save(client, "q=" + quote("量子通信"))
    stranger = Client()  # the link is the proof: no sign-in needed
    page = stranger.get(link)
    assert page.status_code == 200 and "carol@example.org" in page.content.decode()
    ingest(NEW_QUANTUM, "new.txt", django_capture_on_commit_callbacks)
    assert len(digest(mailoutbox)) == 0  # a scanner that opened the link confirmed nothing
    stranger.post(link)
    more = ingest(FLOODS.replace("防汛".encode(), "量子通信".encode()), "more.txt", django_capture_on_commit_callbacks)
    [mail] = digest(mailoutbox)
    assert mail.to == ["carol@example.org"] and more.public_id in mail.body
    assert "已确认" in client.get("/alerts/").content.decode()


def test_a_confirming_link_for_an_address_the_account_no_longer_has_confirms_nothing(client, archive, mailoutbox):
    dave = User.objects.create_user("dave", password="a-long-passphrase-1")
    client.force_login(dave)
    client.post("/alerts/email/", {"email": "old@example.org"})
    link = next(line for line in mailoutbox[0].body.splitlines() if "/alerts/confirm/" in line).removeprefix(SITE)
    client.post("/alerts/email/", {"email": "new@example.org"})
    assert Client().post(link).status_code == 400
    assert Client().get(link.replace("/confirm/", "/confirm/x")).status_code == 400
    from speeches.mail_confirmation import confirmed

    dave.refresh_from_db()
    assert not confirmed(dave)


def test_every_digest_carries_a_way_out_that_needs_no_sign_in_and_one_click_stops_it(
    client, alice, archive, mailoutbox, django_capture_on_commit_callbacks
):
    save(client, "q=" + quote("量子通信"))
    ingest(NEW_QUANTUM, "new.txt", django_capture_on_commit_callbacks)
    [mail] = digest(mailoutbox)
    header = mail.extra_headers["List-Unsubscribe"]
    assert mail.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    stop = header.strip("<>").removeprefix(SITE)
    assert f"{SITE}{stop}" in mail.body
    mail_program = Client(enforce_csrf_checks=True)  # RFC 8058: a POST with no cookie
    assert "停止接收" in mail_program.get(stop).content.decode()
    alice.refresh_from_db()
    assert alice.email == "alice@example.org"  # opening the link stops nothing
    response = mail_program.post(stop, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200 and "不会再收到" in response.content.decode()
    alice.refresh_from_db()
    assert alice.email == ""
    ingest(FLOODS.replace("防汛".encode(), "量子通信".encode()), "more.txt", django_capture_on_commit_callbacks)
    assert digest(mailoutbox) == []


def test_signing_up_with_an_address_asks_its_owner_to_confirm_it(client, mailoutbox, settings):
    settings.SITE_URL = SITE
    response = client.post(
        "/accounts/signup/",
        {
            "username": "frank",
            "email": "frank@example.org",
            "password1": "a-long-passphrase-1",
            "password2": "a-long-passphrase-1",
        },
        follow=True,
    )
    assert "已向 frank@example.org 发出确认邮件" in response.content.decode()
    [asking] = mailoutbox
    assert asking.to == ["frank@example.org"] and "/alerts/confirm/" in asking.body


def test_an_account_alternating_addresses_mails_a_stranger_once_in_ten_minutes(client, mailoutbox, settings):
    settings.SITE_URL = SITE
    client.force_login(User.objects.create_user("mallory", password="a-long-passphrase-1"))
    for _ in range(5):
        client.post("/alerts/email/", {"email": "victim@example.net"})
        client.post("/alerts/email/", {"email": "other@example.net"})
    assert [m.to for m in mailoutbox] == [["victim@example.net"]]


def test_another_account_asking_for_an_address_never_keeps_its_owner_from_asking(mailoutbox, settings):
    from datetime import timedelta

    from speeches import mail_confirmation

    settings.SITE_URL = SITE
    start = timezone.now()
    mallory = User.objects.create_user("mallory", email="alice@example.org")
    alice = User.objects.create_user("alice", email="alice@example.org")
    assert mail_confirmation.ask(mallory, start) == "asked"
    assert mail_confirmation.ask(alice, start + timedelta(minutes=5)) == "asked"
    link = mailoutbox[-1].body.split(SITE)[-1].split()[0]
    assert mail_confirmation.read_token(link.split("/")[-2], mail_confirmation.CONFIRM_SALT)["user"] == alice.pk
    # Only her own window makes her wait, however often another account asks.
    assert mail_confirmation.ask(mallory, start + timedelta(minutes=11)) == "asked"
    assert mail_confirmation.ask(alice, start + timedelta(minutes=12)) == "recent"
    assert mail_confirmation.ask(mallory, start + timedelta(minutes=14)) == "recent"
    assert mail_confirmation.ask(alice, start + timedelta(minutes=16)) == "asked"


def test_a_mail_the_server_failed_to_send_still_takes_the_accounts_window(mailoutbox, settings, monkeypatch):
    # A server that took the mail and then failed delivered one at every click.
    from django.core.mail import EmailMessage

    from speeches import mail_confirmation

    settings.SITE_URL = SITE
    user = User.objects.create_user("carol", email="carol@example.org")

    def sent_then_failed(message, *args, **kwargs):
        mailoutbox.append(message)
        raise TimeoutError("the server went quiet after taking the mail")

    monkeypatch.setattr(EmailMessage, "send", sent_then_failed)
    assert mail_confirmation.ask(user) == "failed"
    assert mail_confirmation.ask(user) == "recent"
    assert len(mailoutbox) == 1


def test_one_client_address_opens_at_most_five_accounts_an_hour(mailoutbox, settings):
    # Each account may ask a stranger's address once: this bounds how many mails one sends.
    settings.SITE_URL = SITE
    answers = []
    for n in range(7):
        form = {"username": f"mallory{n}", "email": "victim@example.net"}
        form |= {"password1": "a-long-passphrase-1", "password2": "a-long-passphrase-1"}
        answers.append(Client().post("/accounts/signup/", form))
    assert [response.status_code for response in answers] == [302] * 5 + [200] * 2
    assert "注册的账号已经太多" in answers[-1].content.decode()
    assert User.objects.filter(username__startswith="mallory").count() == 5 == len(mailoutbox)
