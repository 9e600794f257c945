"""An article's extracted links: what its text names now, without undoing an editor's choices.

link_articles(articles) -> replaces each article's extracted links (localities, terms, officials
    with their positions) with what its text names now; what an editor decided is left as it is:
    links they made or changed, links they removed (DismissedLink), positions they wrote. The
    articles are touched (archive.services.articles_touched) in the same transaction.
"""

from collections import defaultdict
from collections.abc import Iterable
from typing import TypeVar

from django.db import transaction

from archive import models
from archive.extraction.localities import find_localities
from archive.extraction.officials import Patterns, Statement, find_officials
from archive.extraction.terms import find_terms
from archive.services import articles_touched

Link = TypeVar("Link", models.ArticleLocality, models.ArticleOfficial, models.ArticleTerm)


def _replace_links(link_model: type[Link], wanted: dict[int, list[int]]) -> None:
    """Make each article's extracted links of `link_model` exactly `wanted[article_id]`."""
    field = link_model.target
    existing = link_model.objects.filter(article_id__in=wanted)
    keep: set[tuple[int, int]] = set()
    stale: list[int] = []
    for link in existing.values("pk", "article_id", f"{field}_id", "origin"):
        target = link[f"{field}_id"]
        if link["origin"] == models.ArticleLink.Origin.EDITOR or target in wanted[link["article_id"]]:
            keep.add((link["article_id"], target))
        else:
            stale.append(link["pk"])
    link_model.objects.filter(pk__in=stale).delete()
    link_model.objects.bulk_create(
        [
            link_model(article_id=article_id, origin=models.ArticleLink.Origin.EXTRACTED, **{f"{field}_id": target})
            for article_id, targets in wanted.items()
            for target in targets
            if (article_id, target) not in keep
        ]
    )


class _People:
    """Which Official a stated name is, for one extraction run. The same name in another province
    is taken for another person (namesakes are common); in the same province, or with no place
    stated, for the same one. The positions extracted from the run's own articles are about to be
    replaced, so they do not count; those given out during the run are remembered here."""

    def __init__(self, article_ids: list[int]) -> None:
        self.article_ids = article_ids
        self.given: defaultdict[int, set[int | None]] = defaultdict(set)  # official pk -> provinces given in this run

    def get(self, name: str, province_id: int | None) -> models.Official:
        people = list(models.Official.objects.filter(name=name).order_by("pk"))
        provinces = {person.pk: set(self.given[person.pk]) for person in people}
        stated = (
            models.Position.objects.filter(official__in=people)
            .exclude(locality=None)
            .exclude(article_id__in=self.article_ids, origin=models.ArticleLink.Origin.EXTRACTED)
        )
        for pk, province in stated.values_list("official_id", "locality__province_id"):
            provinces[pk].add(province)
        person = (
            people[0]
            if people and province_id is None
            else next((p for p in people if province_id in provinces[p.pk]), None)
            or next((p for p in people if not provinces[p.pk]), None)
            or models.Official.objects.create(name=name)
        )
        if province_id:
            self.given[person.pk].add(province_id)
        return person


def _positions(
    article: models.Article, statements: list[Statement], home: models.Locality | None, people: _People
) -> list[models.Position]:
    stated_on = article.published_at.date() if article.published_at else None
    positions: list[models.Position] = []
    for statement in statements:
        stated = []
        for title in statement.titles:
            organisation = Patterns.of(title).organisation.search(title)
            places = [u for u in find_localities(title, home) if u.kind != models.Locality.Kind.COMMUNE]
            stated.append((title, organisation.group()[:300] if organisation else "", places[-1] if places else None))
        province = next((place.province_id for _t, _o, place in stated if place), None)
        official = people.get(statement.name, province)
        positions += [
            models.Position(
                official=official,
                title=title[:300],
                article=article,
                stated_on=stated_on,
                organisation=organisation,
                locality=place,
                origin=models.ArticleLink.Origin.EXTRACTED,
            )
            for title, organisation, place in stated
        ]
    return positions


def _editors_choices(article_ids: list[int]) -> defaultdict[tuple[int, str], set[int]]:
    """(article id, kind) -> targets extraction must leave alone: links the editor removed, and
    officials whose positions in that article the editor removed or wrote."""
    Kind = models.DismissedLink.Kind
    choices: defaultdict[tuple[int, str], set[int]] = defaultdict(set)
    for article_id, kind, target in models.DismissedLink.objects.filter(article_id__in=article_ids).values_list(
        "article_id", "kind", "target_id"
    ):
        choices[article_id, kind].add(target)
    for article_id, official_id in models.Position.objects.filter(
        article_id__in=article_ids, origin=models.ArticleLink.Origin.EDITOR
    ).values_list("article_id", "official_id"):
        choices[article_id, Kind.POSITION].add(official_id)
    return choices


def link_articles(articles: Iterable[models.Article]) -> None:
    with transaction.atomic():
        _link(list(articles))


def _link(articles: list[models.Article]) -> None:
    Kind = models.DismissedLink.Kind
    kept = _editors_choices([a.pk for a in articles])
    terms = {(t.start_year, t.end_year): t.pk for t in models.Term.objects.all()}
    localities: dict[int, list[int]] = {}
    spans: dict[int, list[tuple[int, int]]] = {}
    officials: dict[int, list[int]] = {}
    positions: list[models.Position] = []
    people = _People([a.pk for a in articles])
    for article in articles:
        text = article.search_text()
        source = article.source
        home = source.home_province if source is not None and source.home_province_id else None
        localities[article.pk] = [
            unit.pk for unit in find_localities(text, home) if unit.pk not in kept[article.pk, Kind.LOCALITY]
        ]
        spans[article.pk] = find_terms(text)
        found = [
            p
            for p in _positions(article, find_officials(text, exclude=[article.author]), home, people)
            if p.official_id not in kept[article.pk, Kind.OFFICIAL]
        ]
        officials[article.pk] = list(dict.fromkeys(p.official_id for p in found))
        positions += [p for p in found if p.official_id not in kept[article.pk, Kind.POSITION]]
    for span in {s for found in spans.values() for s in found} - set(terms):
        terms[span] = models.Term.objects.get_or_create(start_year=span[0], end_year=span[1])[0].pk
    _replace_links(models.ArticleLocality, localities)
    _replace_links(
        models.ArticleTerm,
        {pk: [terms[s] for s in found if terms[s] not in kept[pk, Kind.TERM]] for pk, found in spans.items()},
    )
    _replace_links(models.ArticleOfficial, officials)
    models.Position.objects.filter(article_id__in=localities, origin=models.ArticleLink.Origin.EXTRACTED).delete()
    models.Position.objects.bulk_create(positions)
    articles_touched(list(localities))
