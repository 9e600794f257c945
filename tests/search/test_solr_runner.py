"""tests/solr_cluster.py's decisions that need no Java: skip, fail in CI, or use the given cluster."""

import sys

import pytest

from tests import solr_cluster


@pytest.fixture
def no_java(monkeypatch):
    monkeypatch.setattr(solr_cluster.shutil, "which", lambda tool: None)
    monkeypatch.delenv("SOLR_URL", raising=False)


def test_without_java_and_maven_the_command_is_skipped_with_how_to_install(no_java, monkeypatch, capsys, tmp_path):
    monkeypatch.delenv("CI", raising=False)
    marker = tmp_path / "ran"
    assert solr_cluster.main([sys.executable, "-c", f"open({str(marker)!r}, 'w')"]) == 0
    out = capsys.readouterr().out
    assert "SKIPPED: java, javac, mvn are not installed" in out
    assert "apt-get install default-jdk-headless maven" in out
    assert not marker.exists()


def test_in_ci_a_missing_java_is_an_error(no_java, monkeypatch, capsys):
    monkeypatch.setenv("CI", "true")
    assert solr_cluster.main(["true"]) == 1
    assert "ERROR: java, javac, mvn are not installed" in capsys.readouterr().err


def test_with_solr_url_set_the_command_runs_against_that_cluster(monkeypatch, tmp_path):
    monkeypatch.setenv("SOLR_URL", "http://127.0.0.1:9/solr")
    seen = tmp_path / "env"
    code = f"import os; open({str(seen)!r}, 'w').write(os.environ['SEARCH_ENGINE'] + ' ' + os.environ['SOLR_URL'])"
    assert solr_cluster.main([sys.executable, "-c", code]) == 0
    assert seen.read_text() == "solr http://127.0.0.1:9/solr"


def test_the_node_control_needs_the_throwaway_cluster(monkeypatch):
    monkeypatch.delenv("SOLR_CONTROL", raising=False)
    with pytest.raises(RuntimeError, match="SOLR_CONTROL is not set"):
        solr_cluster.stop_node(2)
