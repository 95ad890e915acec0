# kmportal: the commands a newcomer needs. `make demo` runs the portal with demo data; `make test` runs the suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_WORKERS ?= 2

.PHONY: help install messages translations demo demo-reset serve serve-production test lock audit lint format check-deploy collectstatic vendor clean bench bench-region backup restore

help:
	@echo "make demo      - install, migrate, seed demo data and serve on http://$(HOST):$(PORT)"
	@echo "make test      - install if needed and run the whole test suite (lint included)"
	@echo "make messages  - update the translation catalogues in locale/"
	@echo "make vendor    - refresh the vendored front-end files in static/vendor/"

$(PY):
	$(PYTHON) -m venv $(VENV)

# Installs exactly the locked versions (with their hashes); pyproject.toml keeps the ranges, `make lock` turns them
# into requirements.lock (production) and requirements-dev.lock (with the test and lint tools).
LOCK := requirements-dev.lock
UV_COMPILE = $(BIN)/uv pip compile pyproject.toml --generate-hashes --universal --python-version 3.11 --quiet

$(STAMP): $(LOCK) | $(PY)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet --require-hashes -r $(LOCK)
	touch $(STAMP)

lock: | $(PY)
	$(PY) -m pip install --quiet uv
	$(UV_COMPILE) -o requirements.lock
	$(UV_COMPILE) --extra dev -o requirements-dev.lock

install: $(STAMP) translations

# Compiled catalogues are build output (not committed): compile them on every install.
translations: $(STAMP)
	DJANGO_DEBUG=1 $(PY) manage.py compilemessages --ignore=.venv --verbosity 0

messages: $(STAMP)
	DJANGO_DEBUG=1 $(PY) manage.py makemessages --locale th --locale en --ignore=.venv --ignore=var --no-obsolete --add-location file

# The first run builds the demo data and prints the demo logins; later runs keep what is in the database.
demo: install
	DJANGO_DEBUG=1 $(PY) manage.py migrate --verbosity 0
	DJANGO_DEBUG=1 $(PY) manage.py seed_demo --if-empty
	@echo "Serving on http://$(HOST):$(PORT)/ (Ctrl+C stops it)"
	DJANGO_DEBUG=1 $(PY) manage.py runserver $(HOST):$(PORT)

# Replaces everything with fresh demo data (and prints the demo logins again), then serves.
demo-reset: install
	DJANGO_DEBUG=1 $(PY) manage.py migrate --verbosity 0
	DJANGO_DEBUG=1 $(PY) manage.py seed_demo --reset
	@echo "Serving on http://$(HOST):$(PORT)/ (Ctrl+C stops it)"
	DJANGO_DEBUG=1 $(PY) manage.py runserver $(HOST):$(PORT)

# Serves the database as it is, in development mode (no seeding, no migration).
serve: install
	DJANGO_DEBUG=1 $(PY) manage.py runserver $(HOST):$(PORT)

# Tries the production settings on this machine over plain http: DEBUG off, hashed static files, no HTTPS
# redirect. Not for a real server (see the README's production section).
serve-production: install
	DJANGO_DEBUG=0 DJANGO_SECURE=0 DJANGO_SECRET_KEY=local-production-trial-$$(printf '%050d' 0) \
	DJANGO_ALLOWED_HOSTS=localhost,127.0.0.1 $(PY) manage.py collectstatic --noinput --verbosity 0
	DJANGO_DEBUG=0 DJANGO_SECURE=0 DJANGO_SECRET_KEY=local-production-trial-$$(printf '%050d' 0) \
	DJANGO_ALLOWED_HOSTS=localhost,127.0.0.1 $(PY) manage.py migrate --verbosity 0
	@echo "Production settings on http://$(HOST):$(PORT)/ (Ctrl+C stops it)"
	DJANGO_DEBUG=0 DJANGO_SECURE=0 DJANGO_SECRET_KEY=local-production-trial-$$(printf '%050d' 0) \
	DJANGO_ALLOWED_HOSTS=localhost,127.0.0.1 $(PY) -m gunicorn kmportal.wsgi --bind $(HOST):$(PORT) --workers 2

test: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest -n $(PYTEST_WORKERS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

collectstatic: install
	$(PY) manage.py collectstatic --noinput --verbosity 0

vendor:
	bash scripts/vendor-static.sh

clean:
	rm -rf $(VENV) var/static

# Builds (once) and measures the pilot-scale and province-scale datasets; prints ratios and query counts.
bench: install
	$(PY) scripts/bench.py

# The same pages at about 10,000,000 attendance rows (seed_demo --scale region, built once: a few minutes), against
# the pilot-scale dataset; the uncached target there is 10× the trivial page.
bench-region: install
	$(PY) scripts/bench.py --region

# Known vulnerabilities of the installed packages (pip-audit); says "skipped" when the advisory source is unreachable.
audit: $(STAMP)
	$(PY) scripts/audit.py

# Writes a timestamped copy of the database (DATABASE_URL, or the SQLite default) under var/backups/ and prints
# its path; `make -s backup` prints the path alone (for cron).
backup: $(STAMP)
	$(PY) scripts/backup.py backup

# make restore FILE=var/backups/kmportal-….pgdump [FORCE=1]: refuses a database that is not empty unless FORCE=1.
restore: $(STAMP)
	@test -n "$(FILE)" || { echo "usage: make restore FILE=var/backups/kmportal-<time>.<ext> [FORCE=1]" >&2; exit 2; }
	$(PY) scripts/backup.py restore "$(FILE)" $(if $(filter 1,$(FORCE)),--force)
