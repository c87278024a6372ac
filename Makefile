# chibo: `make demo` runs the demo district on http://127.0.0.1:8000; `make test` runs the tests.
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
# One test process per core (pytest-xdist); a file's tests stay in one process, so the tests
# that share a module-wide demo build it once. PYTEST_ARGS= runs in one process.
PYTEST_ARGS ?= -n auto --dist loadfile

# Django 6 needs Python 3.12 or newer: take the first interpreter on this machine that is.
PYTHON_CANDIDATES := python3.13 python3.12 python3.14 \
	$(wildcard $(HOME)/.pyenv/versions/3.1[2-9]*/bin/python3) \
	$(wildcard /usr/local/bin/python3.1[2-9]) python3 python
FIND_PYTHON := for p in $(PYTHON_CANDIDATES); do \
	if command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then \
		command -v $$p; break; fi; done

.PHONY: demo test install install-test serve messages lint clean help

help:
	@echo "make demo  - set up a virtual environment, load the demo district, serve on http://$(HOST):$(PORT)"
	@echo "make test  - install the test dependencies and run the test suite (PostgreSQL if DATABASE_URL says so)"

$(BIN)/python:
	@py="$$($(FIND_PYTHON))"; \
	if [ -z "$$py" ]; then \
		echo "chibo needs Python 3.12 or newer (Django 6), and none was found."; \
		echo "Install one (e.g. 'pyenv install 3.13') and run make again."; exit 1; fi; \
	echo "Using $$py ($$($$py --version))"; \
	$$py -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet .
	@touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet ".[test]"
	@touch $(VENV)/.installed $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

demo: install
	DEBUG=on $(BIN)/python manage.py migrate --noinput -v 0
	DEBUG=on $(BIN)/python manage.py load_demo
	@echo "chibo is starting on http://$(HOST):$(PORT)/ (Ctrl+C stops it)"
	DEBUG=on $(BIN)/python manage.py runserver $(HOST):$(PORT)

serve: install
	DEBUG=on $(BIN)/python manage.py runserver $(HOST):$(PORT)

test: install-test
	@if [ -n "$$DATABASE_URL" ]; then echo "Tests on $${DATABASE_URL%%://*}"; else echo "Tests on SQLite"; fi
	@if [ ! -x /usr/bin/chromium ]; then echo "Chromium is not installed (/usr/bin/chromium): browser tests will be skipped."; fi
	$(BIN)/python -m pytest $(PYTEST_ARGS)

messages: install-test
	DEBUG=on $(BIN)/python manage.py makemessages -l vi --no-location --no-obsolete -i ".venv/*" -i "static/vendor/*" -i "tests/*"
	DEBUG=on $(BIN)/python manage.py compilemessages -l vi --ignore ".venv/*"

lint: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache
