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
