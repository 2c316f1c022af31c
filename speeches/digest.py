"""The search digest: one mail per researcher listing the speeches that newly match
their saved searches (speeches.models.SavedSearch; saved on speeches/alerts.py's pages).

Run by `manage.py send_search_digests` (cron) or by the upload worker
(`process_uploads --loop --digest-every N`, docker-compose.yml's `worker`). One run:

1. `register_arrivals`: every public id the archive can search now and has not seen
   yet is recorded with the time of this run (SpeechArrival). Ids are what a re-ingest
   keeps, so a file parsed again brings nothing new. A document whose index update is
   still pending (the Whoosh engine's mark, speeches/index_check.py) waits for the next
   run: recorded before a search could find it, its speeches would never be mailed.
2. For each saved search of each active user with an e-mail address: the search itself
   (speeches.search, the results page's own), narrowed to the source documents of the
   speeches that arrived since the search was last checked; of its hits, those that
   arrived since. A hit is a canonical speech, so a copy of a known speech (the same
   text in another file) is never news: it collapses onto its original, as on the page.
3. A mail to a user with anything new. Each search's mark then moves to this run's
   time, claimed with a conditional UPDATE first (as the upload worker claims a
   document), so two workers never send one digest twice; a mail that fails gives the
   marks back and is tried again next run.

Searches of users who cannot be mailed (no address, one its owner has not confirmed
(speeches/mail_confirmation.py), deactivated) move on too: an
address added later starts from then, not with everything since the search was saved.
"""

from __future__ import annotations

import logging
import smtplib
from dataclasses import dataclass, field, replace
from datetime import datetime
from itertools import groupby

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db.models import F
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone

from .index_check import PENDING_MARK
from .mail_confirmation import stop_url
from .models import Document, SavedSearch, Speech, SpeechArrival
from .search import SearchParams, parse_query, search_speeches
from .search.query import blank
from .search.service import INDEX_BUSY

log = logging.getLogger(__name__)

# Speeches listed per saved search in one mail; the rest are counted, with a link to the search.
LISTED = 20
# Hits read per search request while collecting a search's new speeches.
BATCH = 500


@dataclass
class Found:
    saved: SavedSearch
    speeches: list[Speech]


@dataclass
class DigestReport:
    mails: int = 0
    speeches: int = 0
    failed: list[str] = field(default_factory=list)  # usernames whose mail could not be sent
    deferred: int = 0  # searches the index could not answer this time

    def describe(self) -> str:
        line = f"sent {self.mails} digests ({self.speeches} speeches)"
        if self.deferred:
            line += f"; {self.deferred} searches deferred (index busy)"
        if self.failed:
            line += f"; failed for {', '.join(self.failed)}"
        return line


def params_of(saved: SavedSearch) -> SearchParams:
    return SearchParams.from_querydict(QueryDict(saved.query))


def searches_something(params: SearchParams) -> bool:
    """What the results page would search: a query it can read, or filters alone. (A
    query of only signs, or only exclusions, searches nothing there, filters or not;
    narrowed to new documents below it must not become "every new speech" of them.)"""
    if not blank(params.q):
        return parse_query(params.q).tree is not None
    return params.has_filters


def register_arrivals(now: datetime) -> int:
    """Record, as arrived `now`, the public ids the archive can search and has not seen."""
    searchable = Speech.objects.filter(document__status=Document.Status.INGESTED).exclude(
        document__error__startswith=PENDING_MARK
    )
    fresh = searchable.exclude(public_id__in=SpeechArrival.objects.values("public_id"))
    rows = [
        SpeechArrival(public_id=public_id, arrived_at=now) for public_id in fresh.values_list("public_id", flat=True)
    ]
    # Another run or a search being saved may record the same ids at the same moment.
    SpeechArrival.objects.bulk_create(rows, batch_size=1000, ignore_conflicts=True)
    return len(rows)


def arrivals(since: datetime, until: datetime) -> dict[str, tuple[datetime, str]]:
    """Canonical speeches whose ids arrived in (since, until]: public id → (arrival, document id)."""
    window = SpeechArrival.objects.filter(arrived_at__gt=since, arrived_at__lte=until)
    arrived = dict(window.values_list("public_id", "arrived_at"))
    rows = Speech.objects.canonical().filter(public_id__in=window.values("public_id"))
    return {
        public_id: (arrived[public_id], str(document_id))
        for public_id, document_id in rows.values_list("public_id", "document_id")
    }


def new_matches(saved: SavedSearch, arrived: dict[str, tuple[datetime, str]]) -> list[Speech] | None:
    """The speeches that arrived since `saved` was checked and match it, newest year first;
    None when the index cannot answer now (the search keeps its mark and waits)."""
    fresh = {public_id: document for public_id, (at, document) in arrived.items() if at > saved.checked_at}
    params = params_of(saved)
    documents = set(fresh.values())
    if params.document:  # the search's own source filter, within the new speeches' documents
        documents &= set(params.document)
    if not documents or not searches_something(params):
        return []
    params = replace(params, document=tuple(sorted(documents)), sort="year", page=1)
    found: list[Speech] = []
    while True:
        results = search_speeches(params=params, snippets=False, facets=False, limit=BATCH)
        if results.message == INDEX_BUSY:
            return None
        found.extend(hit.speech for hit in results.hits if hit.speech.public_id in fresh)
        if not results.hits or params.page * BATCH >= results.count:
            return found
        params = replace(params, page=params.page + 1)


def absolute(path: str) -> str:
    return settings.SITE_URL + path


def digest_text(user, found: list[Found]) -> str:
    """The mail: per saved search, the new speeches' titles with their permanent links."""
    total = sum(len(item.speeches) for item in found)
    lines = [f"{user.get_username()}，您好：", "", f"您保存的检索有新入库的相符讲话，共 {total} 篇。"]
    for item in found:
        lines += ["", f"【{item.saved.label}】{len(item.speeches)} 篇"]
        for speech in item.speeches[:LISTED]:
            lines += [f"· {speech.title_with_year}", f"  {absolute(speech.get_absolute_url())}"]
        if len(item.speeches) > LISTED:
            # The results newest first (a saved query never holds a sort): by relevance the
            # speeches left out here stand among the whole back catalogue.
            search = absolute(f"{item.saved.get_absolute_url()}&sort=newest")
            lines.append(f"  另有 {len(item.speeches) - LISTED} 篇，见检索结果：{search}")
    lines += [
        "",
        "——",
        "只有保存检索之后新入库的讲话才会通知；已在档案中的讲话请打开检索查看。",
        f"管理保存的检索、更改或清空通知邮箱：{absolute(reverse('alerts'))}",
        f"不想再收到这些邮件（无需登录）：{stop_url(user)}",
    ]
    return "\n".join(lines) + "\n"


def digest_message(user, found: list[Found], connection=None) -> EmailMessage:
    total = sum(len(item.speeches) for item in found)
    subject = f"讲话档案：{total} 篇新讲话符合您保存的检索"
    # RFC 2369 and 8058: a mail program's own "unsubscribe", one click, no sign-in.
    headers = {"List-Unsubscribe": f"<{stop_url(user)}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
    return EmailMessage(subject, digest_text(user, found), to=[user.email], connection=connection, headers=headers)


def claim(saved: SavedSearch, now: datetime) -> bool:
    return bool(SavedSearch.objects.filter(pk=saved.pk, checked_at=saved.checked_at).update(checked_at=now))


def give_back(claimed: list[SavedSearch], now: datetime) -> None:
    for saved in claimed:
        SavedSearch.objects.filter(pk=saved.pk, checked_at=now).update(checked_at=saved.checked_at)


def digest_user(user, searches: list[SavedSearch], arrived, now: datetime, connection, report: DigestReport) -> None:
    found, claimed = [], []
    for saved in searches:
        speeches = new_matches(saved, arrived)
        if speeches is None:
            report.deferred += 1
            continue
        if not claim(saved, now):
            continue  # another run has just checked it
        claimed.append(saved)
        if speeches:
            found.append(Found(saved, speeches))
    if not found:
        return
    try:
        digest_message(user, found, connection).send()
    except (smtplib.SMTPException, OSError) as error:
        log.warning("search digest for user %s not sent, tried again next run: %r", user.pk, error)
        give_back(claimed, now)
        report.failed.append(user.get_username())
        return
    SavedSearch.objects.filter(pk__in=[item.saved.pk for item in found]).update(last_sent_at=now)
    report.mails += 1
    report.speeches += sum(len(item.speeches) for item in found)


def send_digests(now: datetime | None = None) -> DigestReport:
    """One run: record arrivals, mail each researcher what newly matches their searches."""
    now = now or timezone.now()
    report = DigestReport()
    register_arrivals(now)
    due = SavedSearch.objects.filter(checked_at__lt=now)
    # Only to an address its owner confirmed (mail_confirmation.py): an unconfirmed one is
    # as no address, its searches move on.
    mailable = due.filter(
        user__is_active=True,
        user__mail_confirmation__confirmed_at__isnull=False,
        user__mail_confirmation__address=F("user__email"),
    ).exclude(user__email="")
    due.exclude(pk__in=mailable.values("pk")).update(checked_at=now)
    searches = list(mailable.select_related("user").order_by("user_id", "created_at", "id"))
    if not searches:
        return report
    arrived = arrivals(min(saved.checked_at for saved in searches), now)
    # Not opened here: each mail opens it, so a run with nothing to send never needs the server.
    connection = get_connection()
    for user, group in groupby(searches, key=lambda saved: saved.user):
        digest_user(user, list(group), arrived, now, connection, report)
    return report
