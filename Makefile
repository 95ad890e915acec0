# kmportal: the commands a newcomer needs. `make demo` runs the portal with demo data; `make test` runs the suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_WORKERS ?= 2

.PHONY: help install messages translations demo serve test lint format check-deploy collectstatic vendor clean bench backup restore

help:
	@echo "make demo      - install, migrate, seed demo data and serve on http://$(HOST):$(PORT)"
	@echo "make test      - install if needed and run the whole test suite (lint included)"
	@echo "make messages  - update the translation catalogues in locale/"
	@echo "make vendor    - refresh the vendored front-end files in static/vendor/"

$(PY):
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP) translations

# Compiled catalogues are build output (not committed): compile them on every install.
translations: $(STAMP)
	DJANGO_DEBUG=1 $(PY) manage.py compilemessages --ignore=.venv --verbosity 0

messages: $(STAMP)
	DJANGO_DEBUG=1 $(PY) manage.py makemessages --locale th --locale en --ignore=.venv --ignore=var --no-obsolete --add-location file

demo: install
	DJANGO_DEBUG=1 $(PY) manage.py migrate --verbosity 0
	DJANGO_DEBUG=1 $(PY) manage.py seed_demo --reset
	@echo "Serving on http://$(HOST):$(PORT)/ (Ctrl+C stops it)"
	DJANGO_DEBUG=1 $(PY) manage.py runserver $(HOST):$(PORT)

serve: install
	DJANGO_DEBUG=1 $(PY) manage.py runserver $(HOST):$(PORT)

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

# Writes a timestamped copy of the database (DATABASE_URL, or the SQLite default) under var/backups/ and prints
# its path; `make -s backup` prints the path alone (for cron).
backup: $(STAMP)
	$(PY) scripts/backup.py backup

# make restore FILE=var/backups/kmportal-….pgdump [FORCE=1]: refuses a database that is not empty unless FORCE=1.
restore: $(STAMP)
	@test -n "$(FILE)" || { echo "usage: make restore FILE=var/backups/kmportal-<time>.<ext> [FORCE=1]" >&2; exit 2; }
	$(PY) scripts/backup.py restore "$(FILE)" $(if $(filter 1,$(FORCE)),--force)
