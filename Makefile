# Two commands for a fresh machine (see README): `make run` and `make test`.
# Everything they need is installed by the targets below; nothing is assumed to be there.

PYTHON ?= python3
VENV := .venv
BOOT := .cache/uv-boot
UV := $(BOOT)/bin/uv
UV_VERSION := 0.13.8
MANAGE := $(VENV)/bin/python manage.py
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(VENV)
# Installed packages compiled to bytecode once: where PYTHONDONTWRITEBYTECODE is set (it is on
# CI's machines) every Python process — each test worker, Celery worker and manage.py the
# suite starts — would otherwise compile Django and the rest again, ~3.5 s of CPU each.
export UV_COMPILE_BYTECODE := 1
# And our own modules and pytest's rewritten test modules cached too (an empty value unsets it
# for Python): each test process otherwise rewrites all ~300 test modules' asserts, ~6 s of CPU.
export PYTHONDONTWRITEBYTECODE :=

.PHONY: setup system-packages python-packages assets run test lint audit

setup: system-packages python-packages assets

system-packages:
	@scripts/system-packages.sh

$(UV):
	$(PYTHON) -m venv $(BOOT)
	$(BOOT)/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

$(VENV)/.synced: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen --python $(PYTHON)
	@touch $@

python-packages: $(VENV)/.synced

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

static/vendor/.copied: node_modules/.package-lock.json scripts/copy-assets.sh
	scripts/copy-assets.sh
	@touch $@

assets: static/vendor/.copied

# Serve the demo county on http://127.0.0.1:8000 with the embedded default (SQLite, eager Celery).
run: setup
	$(MANAGE) migrate --noinput
	$(MANAGE) seed_demo
	$(MANAGE) runserver 127.0.0.1:8000

# The whole suite; on PostgreSQL and Redis when DATABASE_URL and REDIS_URL are set. One pytest
# process per core (pytest-xdist; each has its own test database), so the suite stays in budget.
# Then the fault tests, serially: they stop and start the PostgreSQL and Redis the others use.
test: setup
	$(VENV)/bin/python -m pytest -n auto -m "not faults"
	$(VENV)/bin/python -m pytest tests/faults -m faults -p no:cacheprovider

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(MANAGE) makemigrations --check --dry-run

# Known vulnerabilities in the locked dependencies (README: needs the advisory data, so not a
# CI gate). Both run even when the first finds something; the target fails if either did.
audit: python-packages
	@mkdir -p .cache
	$(UV) export --frozen --no-hashes --format requirements-txt --all-groups > .cache/requirements-audit.txt
	status=0; \
	$(VENV)/bin/pip-audit --strict --requirement .cache/requirements-audit.txt --no-deps --disable-pip --progress-spinner off || status=1; \
	npm audit --package-lock-only || status=1; \
	exit $$status
