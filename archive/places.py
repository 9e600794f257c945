"""Province names that mean two territories, one before and one since the 2025 reorganisation.

Most of the 34 provinces of 2025 took the name of one of the legacy provinces they were made of:
the 2025 Vĩnh Long took in Bến Tre and Trà Vinh, so "Vĩnh Long" names the old province and the
new, larger one. namesake(unit) finds the province of the other era with the same name, read
from the gazetteer's rows (never a list kept by hand); a province the reorganisation left whole
(Cao Bằng) has none, since both names mean the same land. page_notice(unit) is what a province
page says about it: which of the two it is, and a link to the other with its articles.
"""

from collections import defaultdict
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from archive import cache, selectors
from archive.models import Locality
from archive.text import sort_key


@dataclass(frozen=True)
class Namesake:
    """A legacy and a 2025 province of one name; `members` are the short names of the legacy
    provinces the 2025 one took in, the namesake first."""

    legacy: Locality
    current: Locality
    members: tuple[str, ...]

    def unit(self, era: str) -> Locality:
        return self.current if era == Locality.Era.CURRENT else self.legacy

    def other(self, unit: Locality) -> Locality:
        return self.legacy if unit.era == Locality.Era.CURRENT else self.current

    def described(self, unit: Locality) -> str:
        """ "tỉnh Vĩnh Long cũ (trước 01/7/2025)", "tỉnh Vĩnh Long mới (từ 01/7/2025, gồm …)"."""
        if unit.era == Locality.Era.CURRENT:
            return _("%(place)s mới (từ 01/7/2025, gồm %(members)s cũ)") % {
                "place": place_name(unit),
                "members": ", ".join(self.members),
            }
        return self.short_label(unit)

    def short_label(self, unit: Locality) -> str:
        """How a link names `unit`: "tỉnh Vĩnh Long cũ (trước 01/7/2025)", "tỉnh Vĩnh Long mới (gồm …)"."""
        if unit.era == Locality.Era.CURRENT:
            return _("%(place)s mới (gồm %(members)s cũ)") % {
                "place": place_name(unit),
                "members": ", ".join(self.members),
            }
        return _("%(place)s cũ (trước 01/7/2025)") % {"place": place_name(unit)}

    def link_label(self, unit: Locality, count: int) -> str:
        """The other province of the name with how many articles it has."""
        other = self.other(unit)
        return ngettext("%(place)s: %(count)d bài", "%(place)s: %(count)d bài", count) % {
            "place": self.short_label(other),
            "count": count,
        }


@dataclass(frozen=True)
class PlaceNotice:
    """What a page or a search says about a province whose name means two: `text`, which one is
    shown; `link_label` and `url`, the other one and its `count` of articles."""

    text: str
    other: Locality
    link_label: str
    count: int
    url: str

    def as_json(self) -> dict:
        return {
            "text": self.text,
            "other": {
                "name": self.other.name,
                "era": self.other.era,
                "label": self.link_label,
                "count": self.count,
                "url": self.url,
                "page": self.other.get_absolute_url(),
            },
        }


def place_name(unit: Locality) -> str:
    """A province as a sentence names it: "tỉnh Vĩnh Long", "thành phố Cần Thơ"."""
    if unit.type_name == "Thành phố":
        return _("thành phố %(name)s") % {"name": unit.short_name}
    return _("tỉnh %(name)s") % {"name": unit.short_name}


def _namesakes() -> dict[str, Namesake]:
    """Slug -> Namesake, for every name both eras have that means two territories."""
    legacy = list(selectors.provinces(Locality.Era.LEGACY))
    by_slug = {unit.slug: unit for unit in legacy}
    taken_in = defaultdict(list)
    for unit in legacy:
        taken_in[unit.current_province_id].append(unit)
    found = {}
    for current in selectors.provinces(Locality.Era.CURRENT):
        namesake = by_slug.get(current.slug)
        members = sorted(taken_in[current.pk], key=lambda u: (u != namesake, sort_key(u.short_name)))
        if namesake is None or members == [namesake]:
            continue
        found[current.slug] = Namesake(namesake, current, tuple(u.short_name for u in members))
    return found


def namesake(unit: Locality | None) -> Namesake | None:
    """The pair `unit` is one of, if its name also names a province of the other era."""
    if unit is None or unit.kind != Locality.Kind.PROVINCE:
        return None
    pair = cache.remembered("namesakes", _namesakes).get(unit.slug)
    return pair if pair is not None and pair.unit(unit.era).pk == unit.pk else None


def page_notice(unit: Locality) -> PlaceNotice | None:
    """What a province's page says when its name also names a province of the other era."""
    pair = namesake(unit)
    if pair is None:
        return None
    other = pair.other(unit)
    count = selectors.unit_counts(other.scope_field).get(other.pk, 0)
    return PlaceNotice(
        text=_("Trang này là %(place)s.") % {"place": pair.described(unit)},
        other=other,
        link_label=pair.link_label(unit, count),
        count=count,
        url=other.get_absolute_url(),
    )


def district_label(district: Locality) -> str:
    """A legacy district with its legacy province and the 2025 province it is in now:
    "Huyện Mỏ Cày Bắc, Bến Tre (nay thuộc tỉnh Vĩnh Long)"."""
    if not district.current_province_id:
        return str(district)
    return _("%(district)s (nay thuộc %(province)s)") % {
        "district": district,
        "province": place_name(district.current_province),
    }
