"""Our Solr configset and collection command, without a Solr server (the live checks are in
test_solr_cluster.py, run by `make test-solr`)."""

import io
import xml.etree.ElementTree as ET
import zipfile

import pytest
from django.core.management import CommandError, call_command
from haystack import indexes

from search.search_indexes import ArticleIndex
from search.solr.admin import CONF_DIR, configset_zip

SCHEMA = ET.parse(CONF_DIR / "schema.xml").getroot()
FIELDS = {f.get("name"): f for f in SCHEMA.iter("field")}
TYPES = {t.get("name"): t for t in SCHEMA.iter("fieldType")}


def test_every_index_field_has_its_solr_field():
    for name, field in ArticleIndex.fields.items():
        solr = FIELDS.get(field.index_fieldname)
        assert solr is not None, f"schema.xml has no field {field.index_fieldname}"
        multi = solr.get("multiValued") == "true"
        assert multi == isinstance(field, indexes.MultiValueField), f"{name}: multiValued should be {not multi}"
        if field.faceted or getattr(field, "facet_for", None):
            assert TYPES[solr.get("type")].get("class") == "solr.StrField", f"{name}: a facet is a string"
        if getattr(field, "facet_for", None):  # haystack's "_exact" twin, which facet counts read
            assert solr.get("docValues", TYPES[solr.get("type")].get("docValues")) == "true", name
        elif field.faceted:  # filters match the field itself
            assert solr.get("indexed") == "true", name
        if field.analyzer is not None:
            assert TYPES[solr.get("type")].get("class") == "solr.TextField", f"{name}: text is analysed"


def test_haystack_and_solrcloud_fields():
    assert SCHEMA.findtext("uniqueKey") == "id"
    for name in ("id", "django_ct", "django_id", "_version_", "_root_"):
        assert name in FIELDS
    assert FIELDS["version"].get("indexed") == "false"
    assert FIELDS["version"].get("stored") == "true"
    assert {FIELDS[n].get("type") for n in ("published", "newest_first", "oldest_first")} == {"pdate"}


def test_the_field_types_the_backend_relies_on():
    assert FIELDS["text"].get("type") == "text_vi"
    assert FIELDS["text_folded"].get("type") == "text_vi_folded"
    assert FIELDS["text_pairs"].get("type") == "text_vi_pairs"
    assert FIELDS["text_words"].get("type") == "text_vi_words"
    shingles = TYPES["text_vi_pairs"].find(".//filter[@class='solr.ShingleFilterFactory']")
    assert (shingles.get("minShingleSize"), shingles.get("maxShingleSize"), shingles.get("tokenSeparator")) == (
        "2",
        "2",
        "_",
    )


def test_solrconfig_reads_the_schema_as_it_is():
    config = ET.parse(CONF_DIR / "solrconfig.xml").getroot()
    assert config.find("schemaFactory").get("class") == "ClassicIndexSchemaFactory"
    assert config.find(".//autoSoftCommit/maxTime").text.endswith(":1000}")
    assert config.find(".//requestHandler[@name='/select']") is not None


def test_the_configset_zip_has_its_files_at_the_top():
    with zipfile.ZipFile(io.BytesIO(configset_zip())) as archive:
        assert {"schema.xml", "solrconfig.xml"} <= set(archive.namelist())


def test_an_unreachable_solr_is_a_clear_error():
    with pytest.raises(CommandError, match=r"not reachable at http://127\.0\.0\.1:9/solr"):
        call_command("solr_collection", "--url", "http://127.0.0.1:9/solr", "list")


def test_no_solr_address_is_a_clear_error(settings):
    settings.SOLR_URL = ""
    with pytest.raises(CommandError, match="set SOLR_URL"):
        call_command("solr_collection", "list")


def test_ranking_weights_are_written_as_lucene_reads_them():
    from search.plan import TIER, Boost, SearchRequest, Term
    from search.solr_backend import select_params

    ranking = (
        Boost(Term("text_folded", "a"), TIER, constant=True),
        Boost(Term("text_folded", "b"), 6.4e7),
        Boost(Term("text_folded", "c"), 1.5),
    )
    params = select_params(SearchRequest(ranking=ranking))
    assert params["q"].endswith(' (text_folded:"b")^64000000 (text_folded:"c")^1.5')
    assert params["tiers"] == '(text_folded:"a")^=1000000'  # constant tiers: their own sort key
