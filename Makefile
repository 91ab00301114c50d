# Two commands: `make run` (portal with demo data on http://127.0.0.1:8000) and `make test`.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PIP := $(BIN)/pip --disable-pip-version-check -q
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test install install-test chromium clamav fonts softhsm lint typecheck bench serve migrate demo clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(PIP) install -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(PIP) install -e '.[test]'
	touch $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

migrate: install
	$(BIN)/python manage.py migrate --noinput

demo: migrate
	$(BIN)/python manage.py seed_demo

# Links in payments, receipts, QR codes and e-mails point at the address served (make run PORT=8201).
run: demo
	PORTAL_BASE_URL=$${PORTAL_BASE_URL:-http://$(HOST):$(PORT)} $(BIN)/python manage.py runserver $(HOST):$(PORT)

# Debian's Chromium for the browser journeys (Playwright drives it; never `playwright install`).
chromium:
	@if ! command -v chromium >/dev/null 2>&1; then \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq chromium; \
	fi

# Debian's ClamAV daemon for the antivirus tests: they start their own clamd on a temporary
# socket with a signature file they write (freshclam cannot reach its mirrors from CI).
clamav:
	@if ! command -v clamd >/dev/null 2>&1 && [ ! -x /usr/sbin/clamd ]; then \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq clamav-daemon; \
	fi

# The legal forms' typeface (Decree 30/2020: Times New Roman, or a metric-compatible face):
# Liberation Serif 2.x (fonts-liberation2) has every Vietnamese letter; 1.x (fonts-liberation) lacks
# the stacked diacritics (ệ, Ộ) and would fall back to another face mid-word.
fonts:
	@if [ ! -f /usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf ]; then \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq fonts-liberation fonts-liberation2; \
	fi

# Debian's SoftHSM2, the PKCS#11 token the signing tests create in a temporary folder of their own
# (and the demo stack's token): results are signed through PKCS#11 as through a real HSM (docs/signing.md).
softhsm:
	@if ! command -v softhsm2-util >/dev/null 2>&1; then \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq softhsm2; \
	fi

lint: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install-test
	$(BIN)/mypy common procedures accounts eforms workflows dossiers indicators console dvctt

test: install-test chromium clamav fonts softhsm
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy common procedures accounts workflows dossiers indicators console dvctt
	$(BIN)/python manage.py makemigrations --check --dry-run --settings=dvctt.settings.test
	$(BIN)/pytest

# Each benchmark needs PostgreSQL (127.0.0.1:5432, user postgres) and uses its own database;
# sync_throughput and load also need Redis (REDIS_URL; they use their own db). bench/report.py runs
# them one after the other and writes their figures into bench/RESULTS.md (bench/README.md).
# One of them: `make bench BENCH=load`; with arguments: `make bench BENCH=load ARGS="--users 20"`.
bench: install-test
	$(BIN)/python bench/report.py $(foreach b,$(BENCH),--only $(b)) $(if $(ARGS),--extra "$(BENCH)=$(ARGS)")

clean:
	rm -rf $(VENV) var db.sqlite3
