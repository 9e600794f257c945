"""The facet registry: the index and the Solr schema hold its fields, and each key makes the
round trip article -> index key -> label and link -> search form -> the same index key."""

import datetime

import pytest
from haystack import indexes

from archive.models import ArticleLocality, ArticleOfficial, ArticleTerm, Locality, Official, Source, Term
from search import facets
from search.forms import SearchForm
from search.search_indexes import ArticleIndex
from tests.factories import make_article
from tests.search.test_solr_configset import FIELDS


def test_the_index_has_a_field_for_each_facet_and_no_other_facet():
    faceted = {name for name, field in ArticleIndex.fields.items() if field.faceted}
    assert faceted == set(facets.BY_FIELD)
    for facet in facets.FACETS:
        assert isinstance(ArticleIndex.fields[facet.field], indexes.MultiValueField) == facet.several, facet.field


def test_the_solr_schema_declares_each_facet_and_its_exact_twin():
    for facet in facets.FACETS:
        for name in (facet.field, f"{facet.field}_exact"):
            assert name in FIELDS, f"schema.xml has no field {name}"
            assert (FIELDS[name].get("multiValued") == "true") == facet.several, name


def test_the_page_lists_each_facet_once_and_every_filter_has_a_form_field():
    assert len(set(facets.LISTED)) == len(facets.LISTED)
    assert {f.parameter for f in facets.FACETS if f.parameter} == set(facets.PARAMETERS)
    assert set(facets.PARAMETERS) <= set(SearchForm.base_fields)


@pytest.fixture
def article(db):
    """An article of Mỏ Cày Bắc (Bến Tre, since 2025 Vĩnh Long) naming an official and a term."""
    source = Source.objects.create(name="Báo Đồng Khởi")
    article = make_article(published_at=datetime.datetime(2021, 3, 5, 23, 30, tzinfo=datetime.UTC), source=source)
    district = Locality.objects.get(kind=Locality.Kind.DISTRICT, short_name="Mỏ Cày Bắc")
    ArticleLocality.objects.create(article=article, locality=district)
    ArticleOfficial.objects.create(article=article, official=Official.objects.create(name="Trần Thị Sol"))
    ArticleTerm.objects.create(article=article, term=Term.objects.create(start_year=2020, end_year=2025))
    return article


def test_an_article_yields_its_keys(article):
    assert {f.field: f.indexed(article) for f in facets.FACETS} == {
        "provinces_2025": ["vinh-long"],
        "provinces": ["ben-tre"],
        "districts": ["ben-tre/mo-cay-bac"],
        "year": "2021",  # in Vietnam's time: 6 March 2021, 06:30
        "terms": ["2020-2025"],
        "officials": [str(article.officials.get().pk)],
        "source": str(article.source_id),
        "month": "2021-03",
    }


def test_an_undated_article_without_links_has_no_keys(db):
    assert {f.field: f.indexed(make_article()) for f in facets.FACETS} == {
        "provinces_2025": [],
        "provinces": [],
        "districts": [],
        "year": None,
        "terms": [],
        "officials": [],
        "source": None,
        "month": None,
    }


@pytest.mark.parametrize("facet", [f for f in facets.LISTED if f.parameter], ids=lambda f: f.field)
def test_a_key_links_back_to_a_filter_on_itself(article, facet):
    [key] = facet.keys(article)
    label, page = facet.labels([key, "khong-co"])[key]
    assert label and (page or facet is facets.SOURCE)  # a newspaper has no page of its own
    assert facet.labels(["khong-co"]) == {}
    form = SearchForm(facet.link(key))
    assert form.is_valid(), form.errors
    assert form.filters() == {facet.field: [key]}


def test_a_year_links_to_its_first_and_last_day(db):
    assert facets.YEAR.labels(["2021"]) == {"2021": ("2021", "/years/2021/")}
    assert facets.YEAR.link("2021") == {"from": "2021-01-01", "to": "2021-12-31"}
    assert facets.MONTH.link("2024-02") == {"from": "2024-02-01", "to": "2024-02-29"}
    assert facets.MONTH.labels(["2024-02"]) == {"2024-02": ("02/2024", "")}


def test_a_province_of_2025_says_so_in_its_parameter(article):
    current = Locality.objects.get(era=Locality.Era.CURRENT, kind=Locality.Kind.PROVINCE, slug="vinh-long")
    assert facets.of_province(current) is facets.PROVINCES_2025
    assert facets.PROVINCES_2025.link("vinh-long") == {"province": "2025:vinh-long"}
    assert facets.PROVINCES.link("vinh-long") == {"province": "vinh-long"}


def test_the_filters_set_in_a_request_in_the_forms_order():
    params = {"q": "x", "term": "2020-2025", "province": "ben-tre", "source": "", "page": "2"}
    assert facets.filters(params) == [("province", "ben-tre"), ("term", "2020-2025")]
