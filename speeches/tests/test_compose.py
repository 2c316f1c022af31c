"""docker-compose.yml, read as a new operator reads it (no Docker engine runs here):
migrations once before the app, TLS in front, no password pasted into a URL, and
every variable it needs named in the README."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from speeches.tests.test_settings import _fresh

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
SERVICES = COMPOSE["services"]


def test_migrations_run_once_and_the_app_starts_only_after_they_succeeded():
    assert "migrate" in SERVICES["migrate"]["command"]
    for name in ("web", "worker", "index-check"):
        assert SERVICES[name]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
        assert "migrate" not in str(SERVICES[name]["command"])


def test_only_the_tls_proxy_is_published_and_the_app_trusts_its_forwarded_protocol():
    published = {name for name, service in SERVICES.items() if service.get("ports")}
    assert published == {"proxy"}
    assert {"80:80", "443:443"} <= set(SERVICES["proxy"]["ports"])
    assert "./docker/caddy/Caddyfile:/etc/caddy/Caddyfile:ro" in SERVICES["proxy"]["volumes"]
    environment = SERVICES["web"]["environment"]
    assert environment["BEHIND_PROXY"] == "1" and environment["DEBUG"] == "0"
    assert environment["HTTPS"].startswith("${HTTPS:-1}")
    caddyfile = (ROOT / "docker/caddy/Caddyfile").read_text(encoding="utf-8")
    assert "{$SITE_ADDRESS}" in caddyfile and "reverse_proxy web:8000" in caddyfile


def test_no_password_is_pasted_into_a_database_url():
    environment = SERVICES["web"]["environment"]
    for name in ("DATABASE_URL", "DATABASE_REPLICA_URLS"):
        assert "PASSWORD" not in environment[name] and ":" not in environment[name].split("@")[0].split("//")[1]
    assert environment["DATABASE_PASSWORD"].startswith("${POSTGRES_PASSWORD")


def test_every_variable_the_compose_file_reads_is_named_in_the_readme():
    text = (ROOT / "docker-compose.yml").read_text(encoding="utf-8")
    variables = set(re.findall(r"\$\{([A-Z_]+)", text))
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    production = readme[readme.index("## Production") :]
    assert variables and all(f"`{name}`" in production for name in variables), variables


def test_the_production_image_installs_the_runtime_requirements_only():
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert "pip install -r requirements.txt" in dockerfile and "requirements-dev" not in dockerfile
    runtime = (ROOT / "requirements.txt").read_text(encoding="utf-8").lower()
    for tool in ("pytest", "playwright", "hypothesis", "ruff"):
        assert tool not in runtime
    assert "-r requirements.txt" in (ROOT / "requirements-dev.txt").read_text(encoding="utf-8")


def test_a_container_started_without_debug_set_runs_with_debug_off_and_asks_for_a_secret_key():
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    image_env = dict(re.findall(r"^ENV ([A-Z_]+)=(\S+)$", dockerfile, re.MULTILINE))
    assert image_env.get("DEBUG") == "0"
    started = _fresh(["-c", "from archive import settings"], {**image_env, "SECRET_KEY": ""})
    assert started.returncode != 0
    assert "ImproperlyConfigured" in started.stderr and "SECRET_KEY" in started.stderr


def test_a_local_env_file_of_secrets_is_never_copied_into_the_image():
    # The Dockerfile copies the build context whole (COPY . .); compose reads .env.
    ignored = (ROOT / ".dockerignore").read_text(encoding="utf-8").split()
    assert ".env" in ignored and ".env.*" in ignored


def test_services_stop_in_their_grace_period_without_being_killed_mid_work():
    services = COMPOSE["services"]
    graceful = int(services["web"]["command"].split("--graceful-timeout ")[1].split()[0])
    assert int(services["web"]["stop_grace_period"].rstrip("s")) > graceful
    # A shell as PID 1 ignores SIGTERM unless it traps it.
    assert "trap 'exit 0' TERM" in services["index-check"]["command"][-1]


def test_the_primary_keeps_wal_for_a_replica_that_fell_behind():
    assert any(part.startswith("wal_keep_size=") for part in COMPOSE["services"]["db"]["command"])


def test_the_images_collectstatic_step_starts_under_the_production_settings_it_sets():
    # Its variables are the Dockerfile's own: a rule the settings added (a key of 50
    # characters) would otherwise break the build, which no Docker engine runs here.
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    step = next(line for line in dockerfile.splitlines() if "collectstatic" in line and line.startswith("RUN "))
    env = dict(re.findall(r"([A-Z_]+)=(\S+)", step.split("python", 1)[0]))
    assert env["DEBUG"] == "0"
    started = _fresh(["-c", "from archive import settings"], env)
    assert started.returncode == 0, started.stderr


def test_the_databases_are_ready_only_once_they_answer_over_tcp_and_migrate_is_tried_again():
    for name in ("db", "db-replica"):
        assert "-h 127.0.0.1" in " ".join(SERVICES[name]["healthcheck"]["test"])
    assert SERVICES["migrate"]["restart"] == "on-failure"


def test_the_proxy_takes_a_whole_body_before_a_worker_does_and_bounds_how_long_it_may_take():
    caddyfile = (ROOT / "docker/caddy/Caddyfile").read_text(encoding="utf-8")
    # In each place, buffers as large as the largest body it takes: none reaches a worker in
    # pieces; and only the admin's upload takes more than a form's few megabytes.
    handles = re.findall(r"handle( @upload)? \{(.*?)\n\t\}", caddyfile, re.S)
    assert [name for name, _ in handles] == [" @upload", ""]
    for _, block in handles:
        limit = re.search(r"max_size (\d+)MB", block).group(1)
        assert re.search(rf"request_buffers {limit}MB", block)
    from django.urls import reverse

    assert f"@upload path {reverse('admin:speeches_document_upload')}" in caddyfile
    assert int(re.search(r"max_size (\d+)MB", handles[1][1]).group(1)) <= 4
    assert re.search(r"timeouts \{\s*(#[^\n]*\n\s*)*read_body 15m", caddyfile)
