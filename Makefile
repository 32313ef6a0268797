# Two commands for a fresh machine: `make run` serves the site, `make test` runs every test.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PORT   ?= 8000
MO     := translations/ko/LC_MESSAGES/messages.mo

.PHONY: run test install install-dev translations extract-messages check-data build-index build-static bench bench-search bench-slow clean

run: install $(MO)
	$(BIN)/flask --app app check-data
	$(BIN)/flask --app app build-index
	$(BIN)/flask --app app build-static
	BIND=127.0.0.1:$(PORT) $(BIN)/gunicorn -c gunicorn.conf.py wsgi:app

# Every test, spread over the machine's cores one test file per worker at a time (pytest-xdist):
# each worker has its own session fixtures, live server and browser. TEST_WORKERS=0: one process.
TEST_WORKERS ?= auto
test: install-dev $(MO)
	$(BIN)/flask --app app build-static
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadfile --no-loadscope-reorder $(PYTEST_ARGS)

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

$(VENV)/.installed: requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed requirements-dev.txt
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@

translations: $(MO)
$(MO): translations/ko/LC_MESSAGES/messages.po $(VENV)/.installed
	$(BIN)/pybabel compile --statistics -d translations

# Refresh the message catalogs after changing interface strings in templates or code.
extract-messages: install
	$(BIN)/pybabel extract -F babel.cfg -k _l --sort-by-file -o translations/messages.pot .
	$(BIN)/pybabel update -i translations/messages.pot -d translations --no-fuzzy-matching --ignore-obsolete

check-data: install
	$(BIN)/flask --app app check-data

# Build the search index into search_index/ if it is missing or stale (FORCE=1 to rebuild anyway).
build-index: install
	$(BIN)/flask --app app build-index $(if $(FORCE),--force)

# Content-hashed static assets with gzip/brotli variants into static/dist/ (the WSGI start-up does it when missing).
build-static: install
	$(BIN)/flask --app app build-static

# The site against a bare Flask app under the same gunicorn (wrk), and 500 trickling clients (minutes).
bench: install
	$(BIN)/python bench/load.py
bench-slow: install
	$(BIN)/python bench/slow_clients.py

# Search latency, build time and memory for the real catalog and synthetic 10k/100k ones (minutes).
bench-search: install
	$(BIN)/python bench/bench_search.py

clean:
	rm -rf $(VENV) search_index/* static/dist $(MO)
