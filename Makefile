# The two commands of the README: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install run test test-sqlite test-postgres lint bench clean

$(VENV)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip "setuptools>=81" wheel
	$(VENV)/bin/pip install --quiet -r requirements-dev.txt
	$(VENV)/bin/python -c "from speeches.ingest.mojibake import news_corpus; news_corpus.main()"
	touch $@

install: $(VENV)/.installed

# Migrate, ingest the sample corpus, build the index and serve (SQLite by default).
run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py ingest corpus/seeds
	$(PY) manage.py reindex
	$(PY) manage.py runserver $(HOST):$(PORT)

# axe-core for the browser tests' accessibility checks (package.json); skipped without npm.
node_modules/.package-lock.json: package.json package-lock.json
	if command -v npm >/dev/null; then npm ci --no-audit --no-fund --loglevel=error; fi

# The whole suite on SQLite; again on PostgreSQL when TEST_DATABASE_URL is set.
test: install node_modules/.package-lock.json
	scripts/test

lint: install
	$(VENV)/bin/ruff check .

bench: install
	$(PY) bench/bench_ingest.py

clean:
	rm -rf $(VENV) db.sqlite3 var staticfiles test-artifacts node_modules
