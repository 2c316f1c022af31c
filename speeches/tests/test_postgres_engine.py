"""The PostgreSQL engine: rows that PostgreSQL's tsvector limits keep whole, rows
written in the speeches' own transaction, the same answers as the Whoosh engine,
and its index reported by check_index.

The search tests of the contract (test_search_strings, test_search, test_facets,
test_export, test_damaged_search, test_api) run on every engine the database can
run (conftest.ENGINES); this module holds what is the PostgreSQL engine's own.
"""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.test import override_settings
from hypothesis import given
from hypothesis import strategies as st

from speeches.loading import ingest_bytes, remove_document
from speeches.models import LIVE_STATUSES, SearchRow, Speech
from speeches.search import SearchParams, search_speeches
from speeches.search.postgres.rows import MAX_POSITIONS, OVERLAP, chunks, lexeme, tsquery, tsvector
from speeches.tests.cast import COUNTY, parsed_document, raw_bytes
from speeches.tests.conftest import ON_POSTGRES

on_postgres = pytest.mark.skipif(not ON_POSTGRES, reason="needs PostgreSQL (DATABASE_URL=postgres://…)")


def ingest_county():
    """The cast's county.txt (seven speeches, 春耕 in its fragment only), uploaded."""
    return ingest_bytes(raw_bytes(COUNTY), COUNTY.name, parsed=parsed_document(COUNTY))


def own_spans(pieces: list[tuple[int, str]]) -> list[tuple[int, int, int]]:
    """(start of the chunk's text, start of its own part, end) in the whole text, per chunk."""
    spans, own = [], 0
    for lead, piece in pieces:
        spans.append((own - lead, own, own - lead + len(piece)))
        own += len(piece) - lead
    return spans


@given(st.text("甲乙丙丁 ", min_size=0, max_size=1500), st.integers(250, 700), st.data())
def test_every_occurrence_of_a_term_lies_whole_in_a_chunk_and_ends_in_exactly_one_chunks_own_part(text, size, data):
    pieces = chunks(text, size)
    spans = own_spans(pieces)
    assert "".join(piece[lead:] for lead, piece in pieces) == text
    assert all(text[start:end] == piece for (start, _, end), (_, piece) in zip(spans, pieces, strict=True))
    if not text:
        return
    start = data.draw(st.integers(0, len(text) - 1))
    end = data.draw(st.integers(start + 1, min(len(text), start + OVERLAP)))
    assert any(first <= start and end <= last for first, _, last in spans)
    assert sum(own <= end - 1 < last for _, own, last in spans) == 1


def test_a_chunk_is_cut_again_before_any_bigram_passes_postgresqls_256_positions():
    text = "哈" * 3000 + "安全生产" * 400
    for _, piece in chunks(text):
        counts: dict[str, int] = {}
        for i in range(len(piece)):
            gram = (piece + "\n")[i : i + 2]
            counts[gram] = counts.get(gram, 0) + 1
        assert max(counts.values()) < MAX_POSITIONS


def test_a_chunk_is_cut_again_before_any_character_passes_256_so_no_one_character_word_does():
    # 300 standalone 煤 among neighbours that vary, so that no bigram repeats 256 times.
    neighbours = "甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳午未申酉戌亥天地玄黄宇宙洪荒"
    text = "".join(f"{neighbours[i % 30]}煤{neighbours[(i // 30) % 30]}。" for i in range(300))
    pieces = chunks(text)
    assert len(pieces) > 1 and all(piece.count("煤") < MAX_POSITIONS for _, piece in pieces)


def test_a_term_is_its_bigrams_in_a_row_and_one_character_is_a_prefix():
    assert tsquery("安全生产") == "'安全' <-> '全生' <-> '生产'"
    assert tsquery("煤") == "'煤':*"
    assert tsvector("哈哈哈") == "'哈哈':1A,2A '哈\n':3A"
    # A bigram wholly in the lead is unlabelled: ranking counts occurrences there in the chunk before.
    assert tsvector("哈哈哈", lead=2) == "'哈哈':1,2A '哈\n':3A"
    assert lexeme("a'b\\c") == "'a''b\\\\c'"


@on_postgres
@pytest.mark.django_db
@pytest.mark.parametrize(
    "text, term, found",
    [
        ("it's a \\path", "it's", True),
        ("it's a \\path", "\\pa", True),
        ("say 'hi'", "'hi'", True),
        ("安全 生产", "全 生", True),
        ("安全生产", "全 生", False),
        ("末", "末", True),
        ("ab", "b", True),
    ],
)
def test_postgresql_reads_the_lexemes_as_written(text, term, found):
    with connection.cursor() as cursor:
        cursor.execute("SELECT %s::tsvector @@ %s::tsquery", [tsvector(text), tsquery(term)])
        assert cursor.fetchone()[0] is found


postgres_engine = override_settings(SEARCH_ENGINE="postgres")


@on_postgres
@pytest.mark.django_db
@postgres_engine
def test_an_uploads_speeches_are_searchable_inside_the_transaction_that_writes_them(empty_archive):
    # No on-commit callback runs inside a test's transaction: the rows were written with the speeches.
    result = ingest_county()
    speeches = Speech.objects.filter(document_id=result.document_id)
    assert SearchRow.objects.filter(speech__in=speeches).values("speech").distinct().count() == speeches.count() == 7
    holding = {s.pk for s in Speech.objects.canonical() if "春耕" in s.text}
    assert holding and {h.speech.pk for h in search_speeches("春耕").hits} == holding
    assert holding == set(speeches.filter(is_fragment=True).values_list("pk", flat=True))


@on_postgres
@pytest.mark.django_db
@postgres_engine
def test_a_transaction_that_fails_takes_its_search_rows_with_it(empty_archive):
    with pytest.raises(RuntimeError), transaction.atomic():
        ingest_county()
        assert SearchRow.objects.exists()
        raise RuntimeError("the upload's transaction fails after its speeches were written")
    assert not SearchRow.objects.exists() and not Speech.objects.exists()
    assert search_speeches("春耕").count == 0


@on_postgres
@pytest.mark.django_db
@postgres_engine
def test_removing_a_document_removes_its_rows_and_its_speeches_from_search(cast):
    document = cast.documents["county.txt"]  # its fragment is the cast's one speech of 春耕
    before = search_speeches("春耕").count
    remove_document(document)
    assert not SearchRow.objects.filter(speech__document_id=document.pk).exists()
    assert before == 1 and search_speeches("春耕").count == 0
    assert search_speeches("疫情防控").count == 2  # exam and cppcc went with it


QUERIES = [
    "安全生产",
    "教育信息化",
    "作风建设",
    "煤",
    "工作",
    "疫情 防控",
    "疫情 OR 考试",
    "title:讲话",
    "工作 -疫情",
    "發展",
    "会议 安全",
    "防控 工作 会议",
    "title:会议 疫情",
    "一防三保",
    '"工作会议"',
    "GDP",
    "不存在的词语",
]


# The two engines are compared on the seed pages: long, repetitive real texts rank,
# tie and chunk (rows.chunks) as the cast's short speeches never would.
@on_postgres
@pytest.mark.django_db
@pytest.mark.parametrize("query", QUERIES)
@pytest.mark.parametrize("sort", ["relevance", "year", "length_asc"])
def test_both_engines_give_the_same_total_the_same_order_and_the_same_facets(corpus, query, sort):
    answers = {}
    for name in ("whoosh", "postgres"):
        with override_settings(SEARCH_ENGINE=name):
            results = search_speeches(params=SearchParams(q=query, sort=sort, page_size=50))
            answers[name] = (
                results.count,
                [hit.speech.pk for hit in results.hits] if sort == "relevance" else None,
                {name: [(f.value, f.count) for f in values] for name, values in results.facets.items()},
                results.damaged.count if results.damaged else 0,
            )
            if sort != "relevance":  # column sorts: the same column order (ties may differ)
                key = "year" if sort == "year" else "char_count"
                column = [getattr(hit.speech, key) for hit in results.hits]
                dated = [value for value in column if value is not None]
                assert dated == sorted(dated, reverse=sort == "year")
    assert answers["whoosh"] == answers["postgres"]


@on_postgres
@pytest.mark.django_db
@postgres_engine
def test_check_index_names_the_index_postgresql_built_and_finds_speeches_written_behind_the_loaders_back(cast):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_available_extensions WHERE name = 'rum'")
        kind = "RUM" if cursor.fetchone() else "GIN"
    out = StringIO()
    call_command("check_index", stdout=out)
    assert f"PostgreSQL, {kind} index" in out.getvalue() and "agrees" in out.getvalue()

    document = cast.documents["county.txt"]
    behind = Speech.objects.create(
        document=document,
        ordinal=999,
        public_id="behind01",
        title="绕过加载器",
        text="手工写入的讲话",
        original_text="",
        char_count=7,
    )
    assert search_speeches("手工写入").count == 0
    with pytest.raises(Exception, match="disagree"):
        call_command("check_index", stdout=StringIO())
    call_command("check_index", "--fix", stdout=StringIO())
    assert [hit.speech.pk for hit in search_speeches("手工写入").hits] == [behind.pk]


@on_postgres
@pytest.mark.django_db
@postgres_engine
def test_check_index_finds_a_title_changed_behind_the_loaders_back(cast):
    # The engine read the indexed title from the speech itself, so it always agreed.
    from speeches.index_check import find_mismatches

    speech = cast["yushan"]
    Speech.objects.filter(pk=speech.pk).update(title="龙虾节工作部署讲话稿")
    [mismatch] = find_mismatches()
    assert mismatch.stale == {speech.public_id}
    call_command("check_index", "--fix", stdout=StringIO())
    assert find_mismatches() == []
    assert [hit.speech.pk for hit in search_speeches("龙虾节").hits] == [speech.pk]


@pytest.mark.django_db
@pytest.mark.usefixtures("search_engine")
def test_a_ranked_query_without_a_term_to_rank_by_still_answers_one_page(cast):
    from speeches.search import query as q
    from speeches.search.engine import Query, engine

    everything = engine().answer(Query(q.Not(q.Term("安全生产")), limit=100))
    page = engine().answer(Query(q.Not(q.Term("安全生产")), offset=1, limit=2))
    assert everything.count == page.count == 12  # the cast's 14 but safety and resumption
    assert page.hits == everything.hits[1:3]


def index_definition() -> str | None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'speeches_searchrow_grams'")
        found = cursor.fetchone()
    return found[0] if found else None


@on_postgres
@pytest.mark.django_db
@postgres_engine
def test_a_rebuild_makes_the_same_index_again_and_a_failed_one_leaves_rows_and_index_as_they_were(cast, monkeypatch):
    from speeches.search import postgres
    from speeches.search.engine import engine

    before = (index_definition(), SearchRow.objects.count(), search_speeches("春耕").count)
    assert before[0] and before[1] > 0 and before[2] == 1  # the fragment

    engine().rebuild()
    assert (index_definition(), SearchRow.objects.count(), search_speeches("春耕").count) == before

    def broken(batch, pool):
        raise RuntimeError("a row that cannot be written")

    monkeypatch.setattr(postgres.PostgresEngine, "_write", staticmethod(broken))
    with pytest.raises(RuntimeError):
        engine().rebuild()
    assert (index_definition(), SearchRow.objects.count(), search_speeches("春耕").count) == before


def other_connection():
    import psycopg2

    other = psycopg2.connect(**connection.get_connection_params())
    other.autocommit = True
    with other.cursor() as cursor:
        cursor.execute("SET lock_timeout = '500ms'")
    return other


@on_postgres
@pytest.mark.django_db
@postgres_engine
def test_a_rebuild_lets_searches_and_uploads_at_the_live_rows_while_it_writes_the_new_ones(cast, monkeypatch):
    from speeches.search import postgres
    from speeches.search.engine import engine

    # `reindex` held the rows' table for the whole rebuild (115 s at 20,000 speeches):
    # searches answered that the index was being updated, and uploads waited.
    write, seen = postgres.PostgresEngine._write, []
    other = other_connection()

    def writing(batch, pool):
        with other.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM speeches_searchrow")  # a search
            seen.append(cursor.fetchone()[0])
            cursor.execute("BEGIN; LOCK TABLE speeches_searchrow IN ROW EXCLUSIVE MODE; ROLLBACK")  # an upload
            seen.append("written")
        write(batch, pool)

    monkeypatch.setattr(postgres.PostgresEngine, "_write", staticmethod(writing))
    try:
        engine().rebuild()
    finally:
        other.close()
    assert seen[:2] == [SearchRow.objects.count(), "written"]  # the committed cast's rows
    assert search_speeches("春耕").count == 1


@on_postgres
@pytest.mark.django_db
@postgres_engine
@pytest.mark.parametrize("when", ["while its rows are made", "while its indexes are made"])
def test_speeches_changed_or_removed_during_a_rebuild_are_searched_as_they_are_after_it(cast, monkeypatch, when):
    from speeches.search import postgres
    from speeches.search.analysis import source_digest
    from speeches.search.engine import engine

    speech = Speech.objects.filter(text__contains="春耕").get()
    changed = []

    def upload():  # an upload's changes, committed while the rebuild goes on
        if not changed:
            changed.append(speech.pk)
            Speech.objects.filter(pk=speech.pk).update(
                title=speech.title.replace("春耕", "秋收冬藏"), text=speech.text.replace("春耕", "秋收冬藏")
            )
            engine().index_document(speech.document_id)
            remove_document(cast.documents["province.txt"])

    if when == "while its rows are made":
        write = postgres.PostgresEngine._write
        monkeypatch.setattr(postgres.PostgresEngine, "_write", staticmethod(lambda *a: (write(*a), upload())))
    else:  # after the rows were caught up once, before the live table is locked
        copy = postgres.copy_indexes
        monkeypatch.setattr(postgres, "copy_indexes", lambda cursor: (copy(cursor), upload())[0])
    engine().rebuild()
    assert changed and search_speeches("春耕").count == 0 and search_speeches("秋收冬藏").count == 1
    assert not SearchRow.objects.filter(speech__document__original_name="province.txt").exists()
    made = {row.speech_id: row.source for row in SearchRow.objects.all()}
    assert made and made == {
        s.pk: source_digest(s.searched_title, s.text) for s in Speech.objects.filter(document__status__in=LIVE_STATUSES)
    }


@on_postgres
@pytest.mark.django_db
@postgres_engine
def test_a_rebuild_waits_for_an_upload_holding_the_live_rows_and_the_upload_is_not_the_one_to_give_way(
    cast, monkeypatch
):
    import threading
    import time

    from speeches.search import postgres
    from speeches.search.engine import engine

    write, other, done = postgres.PostgresEngine._write, other_connection(), []

    def writing(batch, pool):
        write(batch, pool)
        if not done:  # an upload's transaction begins, holding the live rows for 1.5 s
            with other.cursor() as cursor:
                cursor.execute("BEGIN; LOCK TABLE speeches_searchrow IN ROW EXCLUSIVE MODE")
            threading.Timer(1.5, lambda: (other.cursor().execute("COMMIT"), done.append(1))).start()
            done.append(0)

    monkeypatch.setattr(postgres.PostgresEngine, "_write", staticmethod(writing))
    started = time.monotonic()
    try:
        engine().rebuild()
    finally:
        time.sleep(0.1)
        other.close()
    assert done == [0, 1] and time.monotonic() - started >= 1.5
    assert search_speeches("春耕").count == 1 and index_definition()


@on_postgres
@pytest.mark.django_db
@postgres_engine
def test_a_search_that_meets_a_rebuilds_swap_waits_or_says_the_index_is_busy_and_is_no_server_error(cast, monkeypatch):
    import threading
    import time

    from django.db import connections
    from django.test import Client

    from speeches.search import postgres
    from speeches.search.engine import engine

    # Dropping the old rows' table in the swap took speeches_speech whole, which a search
    # holding it while it waited for the rows deadlocked with: a 500, with a traceback.
    answered, swap = [], postgres.swap_in

    def search():
        try:
            answered.append(Client(raise_request_exception=False).get("/api/search", {"q": "春耕"}).status_code)
        finally:
            connections.close_all()

    def swap_as_a_search_arrives(cursor, keys):
        searching = threading.Thread(target=search)
        searching.start()
        time.sleep(0.6)  # the live table locked, the search waiting for it
        swap(cursor, keys)
        swap_as_a_search_arrives.searching = searching

    monkeypatch.setattr(postgres, "swap_in", swap_as_a_search_arrives)
    engine().rebuild()
    swap_as_a_search_arrives.searching.join()
    # The test's transaction holds the new table till its end: the search says so.
    assert answered in ([200], [503])


@on_postgres
@pytest.mark.django_db
@postgres_engine
def test_a_rebuilds_swap_holds_the_speeches_against_writes_as_an_upload_takes_them_first(cast, monkeypatch):
    import psycopg2

    from speeches.search import postgres
    from speeches.search.engine import engine

    # Taking only the rows, the swap let a text change between its last catch-up and its
    # commit, and an upload waiting for the rows found the deadlock first and failed.
    other, swap, written = other_connection(), postgres.swap_in, []

    def swap_while_a_speech_is_written(cursor, keys):
        with other.cursor() as writing:
            try:
                writing.execute("UPDATE speeches_speech SET text = text WHERE id = %s", [cast["safety"].pk])
                written.append(True)
            except psycopg2.errors.LockNotAvailable:
                written.append(False)
        swap(cursor, keys)

    monkeypatch.setattr(postgres, "swap_in", swap_while_a_speech_is_written)
    try:
        engine().rebuild()
    finally:
        other.close()
    assert written == [False]


@on_postgres
@pytest.mark.django_db
@postgres_engine
def test_a_second_rebuild_while_one_runs_stops_at_once_saying_so(cast):
    from speeches.search.postgres import REBUILD_LOCK

    other = other_connection()
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s)", [REBUILD_LOCK])  # a rebuild under way
        with pytest.raises(CommandError, match="another `manage.py reindex`"):
            call_command("reindex", stdout=StringIO())
    finally:
        other.close()


@on_postgres
@pytest.mark.django_db
def test_rows_in_an_older_form_are_not_read_and_the_search_page_says_the_index_is_being_updated(cast, client):
    from speeches.search.engine import engine

    with override_settings(SEARCH_ENGINE="postgres"):
        with connection.cursor() as cursor:
            cursor.execute("COMMENT ON TABLE speeches_searchrow IS 'archive index format 0000'")
        assert engine().format_problem()
        # They were searched all the same: 24 hits from rows check_index called outdated.
        html = client.get("/search/", {"q": "安全生产"}).content.decode()
        assert "检索索引正在更新" in html and client.get("/api/search", {"q": "安全生产"}).json()["count"] == 0


@on_postgres
@pytest.mark.django_db
@pytest.mark.parametrize("form", ["this code's", "an older"])
def test_a_search_waiting_on_a_rebuilds_lock_says_the_index_is_being_updated_within_seconds(cast, client, form):
    import time

    import psycopg2

    # `reindex` holds the search rows in one transaction; a search waited for all of it,
    # also where a rebuild is needed: rows in an older form (the check of the form waited).
    from speeches.search.postgres import FORMAT_COMMENT, postgres_format

    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL statement_timeout = '20s'")  # a search that waits fails, not hangs
    other = psycopg2.connect(**connection.get_connection_params())
    try:
        with other.cursor() as cursor:
            if form == "an older":  # committed, as an upgrade finds it (put back below)
                other.autocommit = True
                cursor.execute("COMMENT ON TABLE speeches_searchrow IS 'archive index format 0000'")
                other.autocommit = False
            cursor.execute("LOCK TABLE speeches_searchrow IN ACCESS EXCLUSIVE MODE")
            with override_settings(SEARCH_ENGINE="postgres"):
                started = time.monotonic()
                data = client.get("/api/search", {"q": "安全生产"}).json()
                waited = time.monotonic() - started
        assert data["count"] == 0 and "检索索引正在更新" in data["message"]
        assert waited < 10  # LOCK_WAIT_MS, and the page
    finally:
        other.rollback()
        other.autocommit = True
        with other.cursor() as cursor:
            cursor.execute(f"COMMENT ON TABLE speeches_searchrow IS '{FORMAT_COMMENT}{postgres_format()}'")
        other.close()
    if form == "this code's":
        with override_settings(SEARCH_ENGINE="postgres"):
            assert client.get("/api/search", {"q": "安全生产"}).json()["count"] > 0


@on_postgres
@pytest.mark.django_db
def test_an_engine_switched_to_without_reindex_says_the_index_is_being_updated_until_reindex(
    cast, client, django_capture_on_commit_callbacks
):
    # Switched from postgres to whoosh and back without `reindex`: an upload made on one
    # was "not found" on the other, and a count of 1 came with an empty list.
    page = "在全县秋粮收储工作会议上的讲话\n同志们：\n今年秋粮收储任务繁重，各乡镇要提前谋划，确保颗粒归仓。\n"
    with override_settings(SEARCH_ENGINE="postgres"), django_capture_on_commit_callbacks(execute=True):
        ingest_bytes(page.encode(), "grain.txt")
        assert client.get("/api/search", {"q": "颗粒归仓"}).json()["count"] == 1
    with override_settings(SEARCH_ENGINE="whoosh"):
        answer = client.get("/api/search", {"q": "颗粒归仓"})
        assert answer.status_code == 503 and "检索索引正在更新" in answer.json()["message"]
        with pytest.raises(CommandError, match=r"whoosh engine missed changes.*manage\.py reindex"):
            call_command("check_index", stdout=StringIO())
        call_command("reindex", stdout=StringIO())
        assert client.get("/api/search", {"q": "颗粒归仓"}).json()["count"] == 1
        with django_capture_on_commit_callbacks(execute=True):
            remove_document(Speech.objects.get(title__contains="秋粮").document)
    # The engine switched from missed the removal made on the other; the repair the
    # message names mends it in one run (it said "repaired", and searches stayed 503).
    with override_settings(SEARCH_ENGINE="postgres"):
        assert client.get("/api/search", {"q": "颗粒归仓"}).status_code == 503
        with pytest.raises(CommandError, match="postgres engine missed changes"):
            call_command("check_index", stdout=StringIO())
        call_command("check_index", "--fix", stdout=StringIO())
        answer = client.get("/api/search", {"q": "颗粒归仓"})
        assert answer.status_code == 200 and answer.json()["count"] == 0


@on_postgres
@pytest.mark.django_db
@postgres_engine
def test_a_search_a_replica_cannot_answer_while_it_replays_a_swap_is_answered_by_the_primary(cast, monkeypatch):
    from django.db import OperationalError

    from archive import db_routing
    from speeches.search import postgres

    # A standby replaying the swap's ACCESS EXCLUSIVE lock cancels the searches that hold
    # the rows (40001, "conflict with recovery": a 500), or makes them wait past their
    # lock timeout (503 for up to 30 s), while the primary has the new rows already.
    class RecoveryConflict(Exception):
        pgcode = "40001"

    rows, answer, asked = postgres.PostgresEngine._rows, postgres.PostgresEngine._answer, []

    def rows_of(self, built, using):
        asked.append(using)
        if using != "default":
            error = OperationalError("canceling statement due to conflict with recovery")
            error.__cause__ = RecoveryConflict()
            raise error
        return rows(self, built, using)

    monkeypatch.setattr(postgres.PostgresEngine, "_rows", rows_of)
    # The engine's read of the rows goes where the request reads (the test's transaction
    # keeps the real router on the primary): to a replica, until it falls back.
    routed = postgres.router.db_for_read
    monkeypatch.setattr(
        postgres.router,
        "db_for_read",
        lambda model, **hints: (db_routing._replica.get() or "default") if model is Speech else routed(model, **hints),
    )
    monkeypatch.setattr(
        postgres.PostgresEngine,
        "_answer",
        lambda self, query, built, rows, using: answer(self, query, built, rows, "default"),
    )
    primary = search_speeches("春耕").count
    asked.clear()
    with db_routing.reading_replica("replica1"):
        assert search_speeches("春耕").count == primary == 1
    assert asked == ["replica1", "default"]
