# Welcome Spaces — the two commands of the quick start: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app app
PORT ?= 5000
TEST_DATABASE_URL ?= postgresql://postgres@127.0.0.1:5432/postgres
export TEST_DATABASE_URL

.PHONY: run test test-clock test-sqlite test-postgresql install install-dev translations compile-translations browser-deps lint serve clean

# The web server and, beside it, a worker that delivers the outbox and runs the scheduled jobs (stopped with it).
run: install compile-translations
	$(FLASK) init-db
	$(FLASK) ensure-demo
	@$(FLASK) worker & worker=$$!; trap 'kill $$worker 2>/dev/null; wait $$worker' EXIT INT TERM; \
	  $(FLASK) run --host 127.0.0.1 --port $(PORT)

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(BIN)/activate
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(BIN)/activate
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $(VENV)/.installed $@

install: $(VENV)/.installed

install-dev: $(VENV)/.installed-dev

# Catalogues are compiled from the committed .po files (the .mo files are build output).
compile-translations: install
	$(BIN)/pybabel compile -d translations --statistics

# Extract, update and compile: run after changing user-visible strings.
translations: install
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -o translations/messages.pot --no-location --omit-header --sort-output --ignore-dirs='.* ._ node_modules test-artifacts' .
	$(BIN)/pybabel update -i translations/messages.pot -d translations --no-fuzzy-matching --ignore-obsolete --ignore-pot-creation-date --no-wrap
	$(BIN)/pybabel compile -d translations

# Browser tests: Debian's chromium (never a downloaded browser) and axe-core from npm.
browser-deps:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "Installing Debian's chromium for the browser tests"; \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-core; \
	  else sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-core; fi; }
	@test -d node_modules/axe-core || npm ci --silent --no-audit --no-fund

# Three runs side by side on the two cores: the suite without the browser on PostgreSQL (printed as it goes)
# and on SQLite, and the browser tests on PostgreSQL (what the browser shows does not depend on the database;
# `make test-sqlite` runs them on SQLite too). The other two runs' output (kept in test-artifacts/) follows.
# Fails when any run fails.
test: install-dev compile-translations browser-deps
	$(BIN)/ruff check .
	@mkdir -p test-artifacts; \
	echo "== PostgreSQL without the browser; SQLite without the browser and the browser tests on PostgreSQL beside it"; \
	$(BIN)/python -m pytest --db=sqlite -m "not browser" -p no:cacheprovider > test-artifacts/sqlite.log 2>&1 & sqlite=$$!; \
	$(BIN)/python -m pytest --db=postgresql -m browser -p no:cacheprovider > test-artifacts/browser.log 2>&1 & browser=$$!; \
	trap 'kill $$sqlite $$browser 2>/dev/null' INT TERM; \
	$(BIN)/python -m pytest --db=postgresql -m "not browser"; postgresql=$$?; \
	wait $$sqlite; lite=$$?; wait $$browser; browsers=$$?; \
	echo "== SQLite without the browser"; cat test-artifacts/sqlite.log; \
	echo "== the browser tests on PostgreSQL"; cat test-artifacts/browser.log; \
	echo "== exit statuses: PostgreSQL $$postgresql, SQLite $$lite, browser $$browsers"; \
	test $$postgresql = 0 && test $$lite = 0 && test $$browsers = 0

# The suite (without the browser) with every test starting at a hard instant (tests/conftest.py --now):
# 23:40 the night before the March clock change, 00:30 on the October change day, 23:10 UTC on New Year's Eve.
# The three runs side by side; the first prints as it goes, the others when all have ended. Fails when any fails.
# Without the sweep of every page in every language (test_i18n_pages: what it checks is the language, not the date).
HARD_INSTANTS ?= 2027-03-27T23:40+01:00 2027-10-31T00:30+02:00 2026-12-31T23:10+00:00
CLOCK_RUN = $(BIN)/python -m pytest --db=sqlite -m "not browser" -q -p no:cacheprovider --ignore=tests/test_i18n_pages.py
test-clock: install-dev compile-translations
	@mkdir -p test-artifacts; pids=; \
	for now in $(wordlist 2,$(words $(HARD_INSTANTS)),$(HARD_INSTANTS)); do \
	  $(CLOCK_RUN) --now=$$now > "test-artifacts/clock-$$now.log" 2>&1 & pids="$$pids $$!"; \
	done; \
	trap 'kill $$pids 2>/dev/null' INT TERM; \
	echo "== the suite at $(firstword $(HARD_INSTANTS))"; \
	$(CLOCK_RUN) --now=$(firstword $(HARD_INSTANTS)); status=$$?; \
	for pid in $$pids; do wait $$pid || status=1; done; \
	for now in $(wordlist 2,$(words $(HARD_INSTANTS)),$(HARD_INSTANTS)); do \
	  echo "== the suite at $$now"; cat "test-artifacts/clock-$$now.log"; \
	done; \
	exit $$status

test-sqlite: install-dev compile-translations browser-deps
	$(BIN)/python -m pytest --db=sqlite

test-postgresql: install-dev compile-translations browser-deps
	$(BIN)/python -m pytest --db=postgresql

# Production-like serving (any number of workers), with one mail worker beside it.
serve: install compile-translations
	$(FLASK) init-db
	@$(FLASK) worker & worker=$$!; trap 'kill $$worker 2>/dev/null; wait $$worker' EXIT INT TERM; \
	  BIND=127.0.0.1:$(PORT) $(BIN)/gunicorn -c gunicorn.conf.py app:app

lint: install-dev
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) node_modules .pytest_cache
