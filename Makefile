# Two commands matter: `make demo` and `make test` (see README.md).
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install demo test test-postgres bench lint check lock clean

$(BIN)/activate: pyproject.toml requirements.lock
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c requirements.lock -e ".[dev]"
	touch $(BIN)/activate

install: $(BIN)/activate

demo: install
	DEBUG=1 $(PY) manage.py migrate --noinput
	DEBUG=1 $(PY) manage.py seed_demo
	DEBUG=1 bash scripts/run_demo.sh $(PY) $(HOST) $(PORT)

test: install
	$(PY) -m pytest $(PYTEST_ARGS)

test-postgres: install
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test} $(PY) -m pytest $(PYTEST_ARGS)

# Benchmarks print figures and ratios against baselines measured in the same run.
bench: install
	$(PY) bench/bench_signing.py

lint: install
	$(BIN)/ruff check .

check: install
	$(PY) manage.py check
	$(PY) manage.py makemigrations --check --dry-run

# Regenerate the pinned versions after changing dependencies in pyproject.toml.
lock:
	rm -rf /tmp/portal-lock && $(PYTHON) -m venv /tmp/portal-lock
	/tmp/portal-lock/bin/pip install --quiet -e ".[dev]"
	/tmp/portal-lock/bin/pip freeze --exclude-editable | grep -v '^csp-portal' > requirements.lock

clean:
	rm -rf $(VENV) var
