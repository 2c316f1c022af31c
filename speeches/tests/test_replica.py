"""Read replicas (archive/db_routing.py) against a real streaming replica.

The test starts a replica of the test's own PostgreSQL cluster (`pg_basebackup -R`,
its own data and socket directories, no TCP), then shows a search answered by the
replica and an upload committed on the primary becoming searchable there. It needs
the cluster's binaries and its owner's rights (root or the postgres user), as in CI
(.ci/run sets REQUIRE_REPLICA=1, so there it fails rather than skips); a replica that
does not answer is skipped, which the last test shows without any.
"""

from __future__ import annotations

import copy
import glob
import os
import pwd
import shutil
import subprocess
import tempfile
import time

import pytest
from django.db import connections
from django.db.utils import load_backend
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext

from archive import db_routing
from speeches.loading import ingest_bytes
from speeches.models import Document, Speech
from speeches.search import SearchParams, search_speeches
from speeches.search.engine import Query, engine
from speeches.search.query import parse_query
from speeches.tests.conftest import ON_POSTGRES

pytestmark = pytest.mark.skipif(not ON_POSTGRES, reason="needs PostgreSQL (DATABASE_URL=postgres://…)")
SEED_001 = "001_1ede3f202e9dcf26.txt"


def _cannot(reason: str):
    if os.environ.get("REQUIRE_REPLICA"):
        pytest.fail(f"REQUIRE_REPLICA is set but {reason}")
    pytest.skip(reason)


def _as_owner(command: list[str], owner: str) -> None:
    if os.geteuid() == 0:
        command = ["su", owner, "-s", "/bin/sh", "-c", " ".join(f"'{part}'" for part in command)]
    subprocess.run(command, check=True, capture_output=True, timeout=120)


ENTRYPOINT = os.path.join(os.path.dirname(__file__), "..", "..", "docker", "postgres", "replica-entrypoint.sh")


def _local_cluster() -> tuple[str, str]:
    """The directory of the cluster's binaries and the system user that owns it."""
    primary = connections["default"].settings_dict
    binaries = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_basebackup"))
    if not primary["HOST"].startswith("/") or not binaries:
        _cannot("the primary is not on a unix socket of a local cluster with pg_basebackup")
    owner = primary["USER"] or "postgres"
    try:
        pwd.getpwnam(owner)
    except KeyError:
        _cannot(f"no system user {owner!r} to run the replica as")
    if os.geteuid() != 0 and pwd.getpwuid(os.geteuid()).pw_name != owner:
        _cannot(f"a replica must run as {owner!r} (run as root or as {owner!r})")
    return os.path.dirname(binaries[-1]), owner


def _work_folder(owner: str) -> tuple[str, str, str]:
    # In the machine's temp folder, not the test session's (conftest.py points tempfile
    # there): the session's sits under pytest's folders, which only root may enter, and
    # the replica runs as the database's owner.
    work = tempfile.mkdtemp(prefix="archive-replica-", dir=os.environ.get("TMPDIR") or "/tmp")
    os.chmod(work, 0o755)
    data, sock = os.path.join(work, "data"), os.path.join(work, "sock")
    os.mkdir(sock)
    os.chmod(sock, 0o777)
    shutil.chown(work, owner, owner)
    shutil.chown(sock, owner, owner)
    return work, data, sock


def _start_replica(bin_dir: str, owner: str, work: str, data: str, sock: str) -> subprocess.Popen:
    """The production image's replica entrypoint (docker/postgres/replica-entrypoint.sh),
    run on this machine: the primary is the test's cluster, the replica listens on `sock`."""
    primary = connections["default"].settings_dict
    port = primary["PORT"] or "5432"
    env = {
        "PATH": f"{bin_dir}:/usr/bin:/bin",
        "PGDATA": data,
        "PRIMARY_HOST": primary["HOST"],
        "PRIMARY_PORT": port,
        "REPLICATION_USER": owner,
        "REPLICATION_PASSWORD": primary["PASSWORD"] or "",
    }
    command = ["env", *(f"{k}={v}" for k, v in env.items()), "sh", os.path.abspath(ENTRYPOINT)]
    command += ["-k", sock, "-p", port, "-c", "listen_addresses="]
    if os.geteuid() == 0:
        command = ["su", owner, "-s", "/bin/sh", "-c", " ".join(f"'{part}'" for part in command)]
    with open(os.path.join(work, "log"), "ab") as log:
        server = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, cwd=work)
    ready = [f"{bin_dir}/pg_isready", "-q", "-h", sock, "-p", port]
    deadline = time.monotonic() + 180
    while subprocess.run(ready).returncode != 0:
        if server.poll() is not None or time.monotonic() > deadline:
            with open(os.path.join(work, "log"), encoding="utf-8", errors="replace") as log:
                pytest.fail(f"the replica did not start:\n{log.read()[-3000:]}")
        time.sleep(0.3)
    return server


def _stop_replica(bin_dir: str, owner: str, work: str, data: str, server: subprocess.Popen) -> None:
    try:
        _as_owner([f"{bin_dir}/pg_ctl", "-D", data, "-m", "immediate", "-w", "stop"], owner)
        server.wait(timeout=60)
    finally:
        shutil.rmtree(work, ignore_errors=True)


@pytest.fixture(scope="module")
def replica_socket():
    bin_dir, owner = _local_cluster()
    work, data, sock = _work_folder(owner)
    server = _start_replica(bin_dir, owner, work, data, sock)
    try:
        yield sock
    finally:
        _stop_replica(bin_dir, owner, work, data, server)


def _add_alias(alias: str, host: str) -> None:
    """A connection to the test database on another server, made here rather than in
    settings.DATABASES (which would make the test runner create a database there)."""
    config = copy.deepcopy(connections["default"].settings_dict)
    config.update(HOST=host, OPTIONS={"connect_timeout": 2})
    connections[alias] = load_backend(config["ENGINE"]).DatabaseWrapper(config, alias)


def _drop_alias(alias: str) -> None:
    connections[alias].close()
    del connections[alias]


@pytest.fixture
def replica(replica_socket):
    _add_alias("replica1", replica_socket)
    db_routing.forget_failures()
    with override_settings(DATABASE_REPLICAS=["replica1"], SEARCH_ENGINE="postgres"):
        yield connections["replica1"]
    _drop_alias("replica1")


def _replica_count(term: str) -> int:
    with db_routing.reading_replica("replica1"):
        return engine().answer(Query(parse_query(term).tree)).count


@pytest.mark.django_db(transaction=True)
def test_an_upload_committed_on_the_primary_becomes_searchable_on_the_replica_which_answers_the_search(
    replica, seed_bytes, client
):
    with replica.cursor() as cursor:
        cursor.execute("SELECT pg_is_in_recovery()")
        assert cursor.fetchone()[0] is True  # a real standby, not the primary under another name
    Document.objects.all().delete()
    assert _wait_for(lambda: _replica_count("春耕") == 0)

    ingest_bytes(seed_bytes[SEED_001], "001.txt")  # committed on the primary (transactional test)
    holding = {s.pk for s in Speech.objects.canonical() if "春耕" in s.text}
    assert holding
    assert _wait_for(lambda: _replica_count("春耕") == len(holding)), "the upload never reached the replica"

    # A researcher's search page: the search and the page's rows are read on the replica.
    with CaptureQueriesContext(replica) as on_replica, CaptureQueriesContext(connections["default"]) as on_primary:
        response = client.get("/search/", {"q": "春耕"})
    assert response.status_code == 200
    assert {hit.speech.pk for hit in response.context["results"].hits} == holding
    assert any("speeches_searchrow" in query["sql"] for query in on_replica.captured_queries)
    assert not any("speeches_searchrow" in query["sql"] for query in on_primary.captured_queries)
    # Nor the engine's state every search reads: the primary down, searches failed with it.
    assert not any("speeches_enginestate" in query["sql"] for query in on_primary.captured_queries)

    # The admin reads the primary: what an admin just wrote must show at once.
    with CaptureQueriesContext(replica) as on_replica:
        client.get("/admin/login/")
    assert not on_replica.captured_queries


def _system_of(connection) -> tuple[int, bool]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT system_identifier, pg_is_in_recovery() FROM pg_control_system()")
        return cursor.fetchone()


@pytest.mark.django_db
def test_a_replica_copied_from_another_cluster_is_copied_again_from_the_primary_when_it_starts():
    # The primary made anew (a restored dump, say) is another cluster: a standby of the
    # old one would stream nothing and answer with the old archive for ever.
    bin_dir, owner = _local_cluster()
    work, data, sock = _work_folder(owner)
    _as_owner([f"{bin_dir}/initdb", "-D", data, "-U", owner, "-A", "trust"], owner)
    server, added = None, False
    try:
        server = _start_replica(bin_dir, owner, work, data, sock)
        _add_alias("replica_again", sock)
        added = True
        primary_system, _ = _system_of(connections["default"])
        assert _system_of(connections["replica_again"]) == (primary_system, True)
    finally:
        if added:
            _drop_alias("replica_again")
        if server is not None:
            _stop_replica(bin_dir, owner, work, data, server)
        else:
            shutil.rmtree(work, ignore_errors=True)


def _wait_for(condition, seconds: float = 30.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


@pytest.mark.django_db
def test_a_replica_that_does_not_answer_is_skipped_and_the_primary_answers(cast, client, tmp_path):
    _add_alias("replica_down", str(tmp_path / "no-server-here"))
    db_routing.forget_failures()
    try:
        with override_settings(DATABASE_REPLICAS=["replica_down"], SEARCH_ENGINE="postgres"):
            assert db_routing.pick_replica() is None
            response = client.get("/search/", {"q": "安全生产"})
            assert response.status_code == 200
            assert response.context["results"].count == search_speeches(params=SearchParams(q="安全生产")).count == 2
    finally:
        _drop_alias("replica_down")
        db_routing.forget_failures()


@pytest.mark.django_db
def test_a_replica_streaming_close_behind_is_used_and_one_too_far_behind_is_skipped(replica, monkeypatch):
    # A real standby of this cluster: a few bytes of WAL behind at most once it has caught up.
    assert _wait_for(lambda: 0 <= db_routing.replay_lag(replica) <= db_routing.MAX_LAG_BYTES)
    db_routing.forget_failures()
    assert db_routing.pick_replica() == "replica1"
    # One that stopped streaming answers, with an old archive: measured as too far behind,
    # it is skipped like one that does not answer, and reads go to the primary.
    monkeypatch.setattr(db_routing, "MAX_LAG_BYTES", -1)
    db_routing.forget_failures()
    assert db_routing.pick_replica() is None
    assert db_routing.pick_replica() is None  # skipped for RETRY_AFTER, not asked again


@pytest.mark.django_db
def test_a_server_that_is_no_standby_named_as_a_replica_is_skipped_not_read(cast, client):
    # Another database named by mistake answered every page with a server error.
    _add_alias("replica_not", connections["default"].settings_dict["HOST"])
    db_routing.forget_failures()
    try:
        with override_settings(DATABASE_REPLICAS=["replica_not"], SEARCH_ENGINE="postgres"):
            assert "no standby" in db_routing.replica_problem(connections["replica_not"])
            assert db_routing.pick_replica() is None
            assert client.get("/search/", {"q": "安全生产"}).status_code == 200
    finally:
        _drop_alias("replica_not")
        db_routing.forget_failures()


@pytest.mark.django_db
def test_a_replica_whose_replay_is_paused_behind_the_primary_is_skipped(replica):
    assert _wait_for(lambda: db_routing.replay_lag(replica) == 0)
    with replica.cursor() as cursor:
        cursor.execute("SELECT pg_wal_replay_pause()")
    try:
        with connections["default"].cursor() as cursor:
            # WAL written at once, outside the test's transaction.
            cursor.execute("SELECT pg_logical_emit_message(false, 'archive-test', 'paused')")
        assert _wait_for(lambda: db_routing.replay_lag(replica) > 0)
        assert "paused" in db_routing.replica_problem(replica)
        db_routing.forget_failures()
        assert db_routing.pick_replica() is None
    finally:
        with replica.cursor() as cursor:
            cursor.execute("SELECT pg_wal_replay_resume()")
        db_routing.forget_failures()


@pytest.mark.django_db
def test_the_primary_down_is_not_counted_against_the_replica_which_goes_on_serving(replica, monkeypatch):
    from django.db import OperationalError

    def primary_down():
        raise OperationalError("connection to server failed: No such file or directory")

    # The replica was dropped with the primary, and every public page became a server error.
    monkeypatch.setattr(db_routing, "primary_wal_position", primary_down)
    db_routing.forget_failures()
    assert db_routing.replica_problem(replica) == ""
    assert db_routing.pick_replica() == "replica1"


def _search_on_replica(client, replica) -> bool:
    """Whether a search page's search was answered by the replica."""
    with CaptureQueriesContext(replica) as on_replica:
        assert client.get("/search/", {"q": "安全生产"}).status_code == 200
    return any("speeches_searchrow" in query["sql"] for query in on_replica.captured_queries)


# Transactional: inside a test's transaction every read goes to the primary (db_routing).
@pytest.mark.django_db(transaction=True)
def test_whoever_wrote_and_staff_read_the_primary_and_a_visitor_the_replica(replica, client, django_user_model):
    # An admin who had just uploaded followed the report's link to the new speech and met
    # a 404 from a replica seconds behind.
    assert _search_on_replica(client, replica)
    # The cookie is the server's own, signed: one a client makes up pins nothing.
    client.cookies[db_routing.PRIMARY_COOKIE] = "1"
    assert _search_on_replica(client, replica)
    # A form refused wrote nothing: no pin (one a minute kept a client on the primary).
    assert db_routing.PRIMARY_COOKIE not in client.post("/no-such-page/").cookies
    assert _search_on_replica(client, replica)
    # A sign-up writes: the new account's pages are read where it was written.
    response = client.post(
        "/accounts/signup/",
        {"username": "writer", "password1": "a-long-passphrase-1", "password2": "a-long-passphrase-1", "email": ""},
    )
    assert response.status_code == 302
    assert response.cookies[db_routing.PRIMARY_COOKIE]["max-age"] == db_routing.STICKY_SECONDS
    assert not _search_on_replica(client, replica)
    staff = _client_of(django_user_model.objects.create_user("editor", password="pw-for-tests-only", is_staff=True))
    assert not _search_on_replica(staff, replica)
    assert _search_on_replica(Client(), replica)


def _client_of(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.django_db
def test_a_replica_that_fails_during_a_request_is_skipped_and_the_page_read_again_from_the_primary(
    cast, rf, monkeypatch, tmp_path
):
    from django.http import HttpResponse

    # It gave a 500 page, under /api/ too; the next request read the primary.
    _add_alias("replica_dies", str(tmp_path / "no-server-here"))
    answers = []

    def view(request):
        alias = db_routing._replica.get()
        answers.append(alias)
        return HttpResponse(status=500 if alias else 200)

    monkeypatch.setattr(db_routing, "pick_replica", lambda: "replica_dies")
    try:
        with override_settings(DATABASE_REPLICAS=["replica_dies"]):
            response = db_routing.ReplicaReadsMiddleware(view)(rf.get("/api/search", {"q": "安全生产"}))
        assert response.status_code == 200 and answers == ["replica_dies", None]
        assert db_routing._down_until["replica_dies"] > time.monotonic()
    finally:
        _drop_alias("replica_dies")
        db_routing.forget_failures()


def test_a_search_reads_the_engines_state_where_it_reads_the_speeches():
    # Read on the primary, the state made every search fail with it while the replica
    # was up (speeches/engine_state.py).
    from speeches.models import EngineState

    router = db_routing.ReplicaRouter()
    with db_routing.reading_replica("replica1"):
        assert router.db_for_read(EngineState) == router.db_for_read(Speech) == "replica1"
