"""SEARCH_ENGINE picks haystack's default connection; nothing else in the settings changes."""

import json
import os
import subprocess
import sys

from django.conf import settings


def connection(**environment):
    """HAYSTACK_CONNECTIONS["default"] as the settings module makes it in a fresh interpreter
    with `environment` (None: unset); a failure's last line instead."""
    code = "import json; from config import settings as s; print(json.dumps(s.HAYSTACK_CONNECTIONS['default']))"
    env = {k: v for k, v in os.environ.items() if k not in ("SEARCH_ENGINE", "SOLR_URL", "SOLR_COLLECTION")}
    env |= {k: v for k, v in environment.items() if v is not None}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=settings.BASE_DIR, env=env)
    return json.loads(out.stdout) if out.returncode == 0 else out.stderr.strip().splitlines()[-1]


def test_whoosh_is_the_default():
    assert connection()["ENGINE"] == "search.backend.VietnameseWhooshEngine"
    assert connection(SOLR_URL="http://127.0.0.1:8983/solr")["ENGINE"] == "search.backend.VietnameseWhooshEngine"


def test_solr_is_chosen_by_settings_alone():
    chosen = connection(SEARCH_ENGINE="solr", SOLR_URL="http://solr.example:8983/solr/", SOLR_COLLECTION="tin")
    assert chosen["ENGINE"] == "search.solr_backend.VietnameseSolrEngine"
    assert chosen["URL"] == "http://solr.example:8983/solr/tin"
    assert connection(SEARCH_ENGINE="Solr", SOLR_URL="http://h/solr")["URL"] == "http://h/solr/archive"


def test_a_wrong_choice_says_what_is_missing():
    assert "needs SOLR_URL" in connection(SEARCH_ENGINE="solr")
    assert "use whoosh (the default) or solr" in connection(SEARCH_ENGINE="elastic")
