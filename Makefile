# The two set-up commands are `make run` and `make test`; everything else supports them.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python

.PHONY: install messages run test

$(VENV)/installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

install: $(VENV)/installed

messages: install
	@if command -v msgfmt >/dev/null; then \
		$(PY) manage.py compilemessages --ignore=.venv -v0; \
	else \
		echo "gettext is not installed, so pages are in Vietnamese only (apt-get install gettext adds English)."; \
	fi

run: messages
	$(PY) manage.py migrate --noinput -v0
	$(PY) manage.py setup_archive
	@echo
	@echo "Archive at http://127.0.0.1:8000/  -  to add an editor account: $(PY) manage.py createsuperuser"
	@echo
	@# The index worker applies saved changes to the search index beside the site; both stop with Ctrl-C.
	$(PY) manage.py index_worker -v0 & trap 'kill $$! 2>/dev/null' EXIT; DEBUG=1 $(PY) manage.py runserver 127.0.0.1:8000

test: messages
	$(PY) -m pytest
