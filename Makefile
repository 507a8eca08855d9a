# Two commands matter: `make demo` and `make test` (see README.md).
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install axe demo test test-postgres bench lint check lock clean

$(BIN)/activate: pyproject.toml requirements.lock
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c requirements.lock -e ".[dev]"
	touch $(BIN)/activate

install: $(BIN)/activate

# Production settings (DEBUG off, gunicorn, WhiteNoise) over plain HTTP: scripts/run_demo.sh.
demo: install
	@bash scripts/run_demo.sh $(PY) $(HOST) $(PORT)

# axe-core and pa11y (HTML_CodeSniffer) for the browser tests' accessibility checks
# (node_modules/, git-ignored). pa11y drives Debian's chromium through puppeteer, which must
# never download a browser of its own: PUPPETEER_SKIP_DOWNLOAD. Without npm it says so and
# the tests run without them (outside CI); `make demo` never needs them.
NODE_TOOLS := node_modules/.installed
$(NODE_TOOLS): package.json package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
	PUPPETEER_SKIP_DOWNLOAD=1 npm ci --no-audit --no-fund && touch $(NODE_TOOLS); \
	else echo "npm introuvable : axe-core et pa11y non installés, tests d'accessibilité non faits"; fi

axe: $(NODE_TOOLS)

# Browser tests (tests/browser/) run when chromium is installed (apt-get install -y chromium);
# pytest says in its header and summary when they are skipped.
# The suite runs on every core (pytest-xdist; TEST_WORKERS=0 runs it in one process). `load`
# hands each worker its tests in collection order, where pytest-django puts the tests that
# empty the database (transactional, live server) last: a worker never runs a test needing
# the migrations' rows (Wagtail's site, the task schedules) after one of those.
TEST_WORKERS ?= auto
test: install axe
	@command -v chromium >/dev/null 2>&1 || echo "chromium introuvable : tests navigateur ignorés (apt-get install -y chromium)"
	$(PY) -m pytest -n $(TEST_WORKERS) --dist load $(PYTEST_ARGS)

test-postgres: install axe
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test} $(PY) -m pytest -n $(TEST_WORKERS) --dist load $(PYTEST_ARGS)

# Benchmarks print figures and ratios against baselines measured in the same run.
# The scale ones fill and read PostgreSQL (BENCH_DATABASE_URL, default portal_bench on the
# local server): the first run seeds a million cases (~20 min), the next ones reuse them.
bench: install
	$(PY) bench/bench_signing.py
	$(PY) bench/seed_scale.py $(SEED_ARGS)
	$(PY) bench/bench_scale.py $(BENCH_ARGS)
	$(PY) bench/bench_http.py $(BENCH_HTTP_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/lint-imports

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
