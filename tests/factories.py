"""Objects the tests make again and again, with defaults a test overrides only where it matters."""

from archive.ingest import parse_text
from tests.conftest import SEEDS


def seed_text(name: str) -> str:
    """The searchable text of seed file `name` (../shared/seeds: mark the test needs_shared)."""
    article = parse_text((SEEDS / name).read_text(encoding="utf-8"))
    return "\n".join([article.title, article.lead, article.body, *article.captions])
