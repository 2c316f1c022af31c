import os
import subprocess
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured

from archive import settings as project_settings


def test_it_reads_a_postgres_url_with_a_unix_socket_host():
    config = project_settings.parse_database_url("postgres://arch:pw@/speeches?host=/run/postgresql")
    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert config["NAME"] == "speeches"
    assert config["HOST"] == "/run/postgresql"
    assert config["USER"] == "arch"


def test_it_reads_a_postgres_url_with_host_and_port():
    config = project_settings.parse_database_url("postgresql://u:p%40ss@127.0.0.1:5433/db")
    assert (config["HOST"], config["PORT"], config["PASSWORD"]) == ("127.0.0.1", "5433", "p@ss")


def test_it_puts_a_relative_sqlite_path_in_the_project_folder():
    config = project_settings.parse_database_url("sqlite:///db.sqlite3")
    assert config["NAME"] == str(project_settings.BASE_DIR / "db.sqlite3")


@pytest.mark.parametrize("url", ["mysql://x/y", "postgres://host", "sqlite://", "postgres://h:port/db"])
def test_it_refuses_a_malformed_database_url(url):
    with pytest.raises(ImproperlyConfigured):
        project_settings.parse_database_url(url)


@pytest.mark.parametrize("value", ["maybe", "2", "tru"])
def test_it_refuses_a_boolean_it_cannot_read(monkeypatch, value):
    monkeypatch.setenv("DEBUG", value)
    with pytest.raises(ImproperlyConfigured):
        project_settings.env_bool("DEBUG", True)


def test_it_refuses_a_number_it_cannot_read(monkeypatch):
    monkeypatch.setenv("INGEST_MAX_BYTES", "16MB")
    with pytest.raises(ImproperlyConfigured):
        project_settings.env_int("INGEST_MAX_BYTES", 1)


def test_it_splits_allowed_hosts_on_commas(monkeypatch):
    monkeypatch.setenv("ALLOWED_HOSTS", "archive.example.org, .example.org,")
    assert project_settings.env_list("ALLOWED_HOSTS", []) == ["archive.example.org", ".example.org"]


# What the test process's environment may hold that a fresh start with only the tests'
# variables would not: the test run's database and engine, the browser tests'
# DJANGO_ALLOW_ASYNC_UNSAFE, and a developer's own mail server and address.
TEST_RUN_ONLY = (
    "DATABASE_URL",
    "DATABASE_REPLICA_URLS",
    "DATABASE_PASSWORD",
    "SEARCH_ENGINE",
    "DEBUG",
    "HTTPS",
    "DJANGO_ALLOW_ASYNC_UNSAFE",
    "EMAIL_HOST",
    "SITE_URL",
)


def _fresh(args: list[str], env: dict) -> subprocess.CompletedProcess:
    """Python in a fresh interpreter in the project folder, with `env` (archive/settings.py
    reads the environment once, at import)."""
    clean = {k: v for k, v in os.environ.items() if k not in TEST_RUN_ONLY}
    return subprocess.run(
        [sys.executable, *args],
        env={**clean, **env},
        capture_output=True,
        text=True,
        cwd=project_settings.BASE_DIR,
        timeout=120,
    )


def _settings_in(env: dict) -> subprocess.CompletedProcess:
    code = (
        "from archive import settings as s; "
        "print(s.SEARCH_ENGINE, s.DATABASE_REPLICAS, [s.DATABASES[a]['HOST'] for a in s.DATABASE_REPLICAS])"
    )
    return _fresh(["-c", code], env)


def test_the_search_engine_defaults_to_whoosh_on_sqlite_and_to_postgres_on_postgresql():
    assert _settings_in({"DATABASE_URL": "sqlite:///x.sqlite3"}).stdout.split()[0] == "whoosh"
    assert _settings_in({"DATABASE_URL": "postgres://u@/db?host=/run/postgresql"}).stdout.split()[0] == "postgres"
    chosen = _settings_in({"DATABASE_URL": "postgres://u@/db?host=/run/postgresql", "SEARCH_ENGINE": "whoosh"})
    assert chosen.stdout.split()[0] == "whoosh"


@pytest.mark.parametrize(
    "env",
    [
        {"DATABASE_URL": "sqlite:///x.sqlite3", "SEARCH_ENGINE": "postgres"},
        {"DATABASE_URL": "sqlite:///x.sqlite3", "SEARCH_ENGINE": "elastic"},
        {"DATABASE_URL": "sqlite:///x.sqlite3", "DATABASE_REPLICA_URLS": "postgres://u@/db?host=/r"},
        # Whoosh's index follows the primary: a replica behind it counted hits it could not show.
        {
            "DATABASE_URL": "postgres://u@/db?host=/p",
            "SEARCH_ENGINE": "whoosh",
            "DATABASE_REPLICA_URLS": "postgres://u@/db?host=/r",
        },
    ],
)
def test_settings_refuse_an_engine_or_replicas_the_database_cannot_have(env):
    result = _settings_in(env)
    assert result.returncode != 0 and "ImproperlyConfigured" in result.stderr


def test_a_malformed_replica_url_is_named_as_the_replicas_not_as_database_url():
    result = _settings_in({"DATABASE_URL": "postgres://u@/db?host=/p", "DATABASE_REPLICA_URLS": "postgres://u@h:x/db"})
    assert (
        result.returncode != 0 and "DATABASE_REPLICA_URLS='postgres://u@h:x/db' has a malformed port" in result.stderr
    )


def test_replica_urls_become_database_aliases_the_router_reads_from():
    result = _settings_in(
        {
            "DATABASE_URL": "postgres://u@/db?host=/run/p",
            "DATABASE_REPLICA_URLS": "postgres://u@/db?host=/r1, postgres://u@/db?host=/r2",
        }
    )
    assert result.stdout.strip() == "postgres ['replica1', 'replica2'] ['/r1', '/r2']"


PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": "k" * 10 + "-production-test-key-with-enough-different-characters-0123456789",
    "ALLOWED_HOSTS": "archive.example.org",
    "BEHIND_PROXY": "1",
    "DATABASE_URL": "sqlite:///x.sqlite3",
    "SITE_URL": "https://archive.example.org",
    "EMAIL_HOST": "smtp.example.org",
}


def test_the_production_settings_pass_djangos_deployment_check_without_a_warning():
    result = _fresh(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def _production_value(env: dict, expression: str) -> str:
    result = _fresh(["-c", f"from archive import settings as s; print({expression})"], {**PRODUCTION, **env})
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_behind_the_tls_proxy_cookies_are_secure_http_is_redirected_and_hsts_is_sent():
    values = "s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS > 0, s.SECURE_PROXY_SSL_HEADER"
    assert _production_value({}, values) == "True True True True ('HTTP_X_FORWARDED_PROTO', 'https')"


def test_the_plain_http_mode_sends_cookies_over_http_on_purpose_so_sign_in_works():
    values = "s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS"
    assert _production_value({"HTTPS": "0", "BEHIND_PROXY": "0"}, values) == "False False False 0"


def test_a_database_password_with_url_characters_is_passed_apart_from_the_url():
    password = "p@ss/w:rd#?%"
    env = {
        "DATABASE_URL": "postgres://archive@db:5432/archive",
        "DATABASE_PASSWORD": password,
        "DATABASE_REPLICA_URLS": "postgres://archive@db-replica:5432/archive",
    }
    expression = "s.DATABASES['default']['PASSWORD'] == s.DATABASES['replica1']['PASSWORD'] == " + repr(password)
    assert _production_value(env, expression) == "True"


def test_a_production_start_without_collected_static_files_stops_and_names_the_missing_step(tmp_path):
    result = _fresh(["-c", "import archive.wsgi"], {**PRODUCTION, "STATIC_ROOT": str(tmp_path)})
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and "collectstatic" in result.stderr


@pytest.mark.parametrize("name", ["EMAIL_HOST", "SITE_URL"])
def test_a_production_start_without_a_mail_server_or_the_sites_address_stops_and_names_it(name):
    env = {k: v for k, v in PRODUCTION.items() if k != name}
    result = _fresh(["-c", "from archive import settings"], env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and name in result.stderr


def test_production_mails_over_smtp_as_configured_and_development_prints_mail_on_the_console():
    env = {
        "EMAIL_PORT": "465",
        "EMAIL_USE_TLS": "0",
        "EMAIL_HOST_USER": "archive",
        "DEFAULT_FROM_EMAIL": "a@example.org",
    }
    values = "s.EMAIL_BACKEND, s.EMAIL_HOST, s.EMAIL_PORT, s.EMAIL_USE_TLS, s.EMAIL_HOST_USER, s.DEFAULT_FROM_EMAIL"
    expected = "django.core.mail.backends.smtp.EmailBackend smtp.example.org 465 False archive a@example.org"
    assert _production_value(env, values) == expected
    assert _production_value({}, "s.DEFAULT_FROM_EMAIL, s.EMAIL_PORT, s.EMAIL_USE_TLS") == (
        "讲话档案 <noreply@archive.example.org> 587 True"
    )
    development = _fresh(["-c", "from archive import settings as s; print(s.EMAIL_BACKEND, s.SITE_URL)"], {})
    assert development.stdout.split() == ["django.core.mail.backends.console.EmailBackend", "http://127.0.0.1:8000"]


@pytest.mark.parametrize("url", ["archive.example.org", "https://archive.example.org/archive/", "ftp://x.org"])
def test_a_site_address_that_is_not_one_is_refused(url):
    result = _fresh(["-c", "from archive import settings"], {**PRODUCTION, "SITE_URL": url})
    assert result.returncode != 0 and "SITE_URL" in result.stderr


def test_a_trailing_slash_on_the_sites_address_is_dropped_so_links_have_one():
    assert (
        _production_value({"SITE_URL": "https://archive.example.org/"}, "s.SITE_URL") == "https://archive.example.org"
    )


def _web_env(tmp_path) -> dict[str, str]:
    """A web process's environment for a fresh interpreter, on an archive in tmp_path."""
    return {
        "DEBUG": "1",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "SEARCH_INDEX_DIR": str(tmp_path / "index"),
        "MEDIA_ROOT": str(tmp_path / "media"),
        "DJANGO_SETTINGS_MODULE": "archive.settings",
    }


def test_a_web_process_that_only_searches_never_loads_jiebas_dictionary(tmp_path):
    # A term is a string and whole-word counts come from the index: segmenting is for
    # indexing only, and jieba's dictionary would cost every web worker ~60 MB (rjieba's,
    # built when it is imported, 35 MB more).
    env = _web_env(tmp_path)
    build = """
import django; django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from speeches.models import Document, Speech
document = Document.objects.create(original_name="a.txt", sha256="0" * 64, raw=b"", status="ingested", title="t")
Speech.objects.create(document=document, ordinal=1, public_id="s1", title="在全市安全生产会议上的讲话",
                      text="同志们：安全生产工作要发展。", original_text="", char_count=13)
from speeches.indexing import rebuild_index
rebuild_index()
"""
    built = _fresh(["-c", build], env)
    assert built.returncode == 0, built.stderr[-2000:]
    search = """
import archive.wsgi, jieba
from django.test import Client
client = Client()
for url in ["/api/search?q=安全生产", "/search/?q=发展+工作", "/search/trends/?q=安全", "/search/concordance/?q=生产"]:
    response = client.get(url)
    assert response.status_code == 200, url
assert client.get("/api/search?q=安全生产").json()["count"] == 1
import sys
print("jieba loaded:", jieba.dt.initialized, "rjieba imported:", "rjieba" in sys.modules)
"""
    result = _fresh(["-c", search], env)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "jieba loaded: False rjieba imported: False" in result.stdout


def test_a_web_worker_leaves_what_it_loaded_at_start_up_out_of_garbage_collection(tmp_path):
    # Full collections rescanned every start-up object: 55-104 ms pauses, each in a search.
    env = _web_env(tmp_path)
    script = "import gc, archive.wsgi; print('frozen:', gc.get_freeze_count(), 'left:', len(gc.get_objects()))"
    result = _fresh(["-c", script], env)
    assert result.returncode == 0, result.stderr[-2000:]
    frozen, left = (int(part) for part in result.stdout.split()[1::2])
    assert frozen > 50_000 and left < frozen / 10, result.stdout


def test_a_warning_of_django_is_printed_once_by_the_development_server():
    # Django's "django" logger printed it through its own console handler (DEBUG only)
    # and again through the root's.
    code = "import django, logging; django.setup(); logging.getLogger('django.request').warning('Not Found: /api/')"
    done = _fresh(["-c", code], {"DJANGO_SETTINGS_MODULE": "archive.settings", "DEBUG": "1"})
    assert done.returncode == 0, done.stderr
    assert done.stderr.count("Not Found: /api/") == 1, done.stderr


@pytest.mark.parametrize(
    "env, named",
    [
        ({"SECRET_KEY": "x"}, "SECRET_KEY"),
        ({"SECRET_KEY": "django-insecure-" + "abcdefghij" * 5}, "SECRET_KEY"),
        ({"SECRET_KEY": "ab" * 30}, "SECRET_KEY"),
        ({"ALLOWED_HOSTS": ""}, "ALLOWED_HOSTS"),
        ({"ALLOWED_HOSTS": None}, "ALLOWED_HOSTS"),  # unset: the development hosts were taken
    ],
)
def test_a_production_start_with_a_weak_key_or_no_host_names_stops_and_names_it(env, named):
    chosen = {name: value for name, value in {**PRODUCTION, **env}.items() if value is not None}
    result = _fresh(["-c", "from archive import settings"], chosen)
    assert result.returncode != 0 and "ImproperlyConfigured" in result.stderr and named in result.stderr


def test_a_forms_body_is_bounded_as_djangos_default_bounds_it():
    result = _fresh(["-c", "from archive import settings as s; print(s.DATA_UPLOAD_MAX_MEMORY_SIZE)"], PRODUCTION)
    assert result.stdout.strip() == "2621440"


def test_uploads_are_queued_past_half_a_megabyte_in_production_and_ingested_at_once_in_development():
    # In development no worker runs: a queued upload waited for one that never came.
    expression = "s.INGEST_INLINE_MAX_BYTES"
    assert _production_value({}, expression) == str(512 * 1024)
    result = _fresh(["-c", f"from archive import settings as s; print({expression})"], {"DEBUG": "1"})
    assert result.stdout.strip() == str(64 * 1024 * 1024)
