# The two set-up commands are `make run` and `make test`; everything else supports them.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
WORKERS ?= 3

.PHONY: install messages setup port-free run serve test test-fast test-solr lint format

$(VENV)/installed: requirements.txt
	@echo "Cài các gói Python vào $(VENV) (lần đầu mất khoảng một phút)…"
	@$(PYTHON) -m venv $(VENV)
	@$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	@echo "Đã cài xong các gói Python."
	@touch $@

install: $(VENV)/installed

# axe-core, which the browser tests run in each page.
node_modules/.package-lock.json: package.json package-lock.json
	@if command -v npm >/dev/null; then \
		npm ci --silent --no-audit --no-fund; \
	else \
		echo "npm is not installed, so the browser tests will be skipped (apt-get install npm adds them)."; \
	fi

messages: install
	@if command -v msgfmt >/dev/null; then \
		$(PY) manage.py compilemessages --ignore=.venv -v0; \
	else \
		echo "Chưa cài gettext nên các trang chỉ có tiếng Việt (apt-get install gettext để có thêm tiếng Anh)."; \
	fi

setup: messages
	@echo "Chuẩn bị cơ sở dữ liệu…"
	@$(PY) manage.py migrate --noinput -v0
	@$(PY) manage.py setup_archive

# Before any set-up (make runs prerequisites left to right): a port taken is said at once, with a free one.
port-free:
	@$(PYTHON) config/port_free.py $(firstword $(filter run serve,$(MAKECMDGOALS)) run) $(PORT)

# `make run PORT=8123` serves on another port.
run: port-free setup
	@echo
	@echo "Kho lưu trữ ở http://127.0.0.1:$(PORT)/ (dừng bằng Ctrl-C). Tạo tài khoản biên tập: $(PY) manage.py createsuperuser"
	@echo
	@# The index worker applies saved changes to the search index beside the site; both stop with Ctrl-C.
	$(PY) manage.py index_worker -v0 & trap 'kill $$! 2>/dev/null; exit' EXIT INT TERM; DEBUG=1 $(PY) manage.py runserver 127.0.0.1:$(PORT)

# As deployed: debugging off, static files collected and served by whitenoise, gunicorn on loopback
# (README: behind a reverse proxy). `make serve PORT=8080 WORKERS=5` changes the defaults.
serve: port-free setup
	$(PY) manage.py collectstatic --noinput -v0
	@# The index worker (the search index's one writer) runs beside gunicorn; both stop together.
	$(PY) manage.py index_worker -v0 & trap 'kill $$! 2>/dev/null; exit' EXIT INT TERM; \
	DEBUG=0 $(VENV)/bin/gunicorn config.wsgi -c config/gunicorn.py --workers $(WORKERS) --bind 127.0.0.1:$(PORT) \
		--timeout 120 --access-logfile - --no-control-socket

# The whole suite on SQLite (end-to-end tests included), then again on PostgreSQL: the server
# DATABASE_URL names, or else a throwaway cluster.
test: messages node_modules/.package-lock.json
	@echo "== Tests on SQLite, with the end-to-end tests =="
	env -u DATABASE_URL $(PY) -m pytest
	@echo "== Tests on PostgreSQL (the end-to-end tests ran in the SQLite pass) =="
	$(PY) tests/pg_cluster.py $(PY) -m pytest --ignore=tests/e2e
	@echo "== Search tests on a throwaway SolrCloud (3 nodes, 2 shards x 2 replicas) =="
	$(MAKE) --no-print-directory test-solr

# While working: everything not marked slow (the browser and concurrency tests), on SQLite only.
test-fast: messages
	env -u DATABASE_URL $(PY) -m pytest -m "not slow" -q

# Our configset and the search on Solr (search.solr_backend) on a throwaway SolrCloud cluster (three nodes,
# tests/solr_cluster.py); needs Java and Maven (apt-get install default-jdk-headless maven). Not in `make test`.
test-solr: install
	$(PY) tests/solr_cluster.py $(PY) -m pytest tests/search/test_solr_cluster.py tests/search/test_solr_configset.py \
		tests/search/test_solr_search.py tests/search/test_solr_faults.py

# Lint, format, template indentation and types, as CI checks them; `make format` rewrites what the first three flag.
lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/djhtml --check templates
	$(VENV)/bin/mypy

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .
	$(VENV)/bin/djhtml templates
