"""Objects the tests make again and again, with defaults a test overrides only where it matters."""

from django.contrib.auth.models import Group, User
from django.test import Client

from archive.ingest import article_of, parse_text
from archive.models import Article
from archive.roles import EDITORS
from tests.conftest import SEEDS

PASSWORD = "mat-khau-dai-2025"


def make_article(title: str = "Hội nghị Ban Chấp hành Đảng bộ", body: str = "Nội dung.", **fields) -> Article:
    """A saved article (published unless `status` says otherwise)."""
    return Article.objects.create(title=title, body=body, **fields)


def make_superuser(username: str = "bientap") -> User:
    return User.objects.create_superuser(username, f"{username}@example.vn", PASSWORD)


def make_editor(username: str = "bientap") -> User:
    """A member of the editors' group with staff status: not a superuser."""
    user = User.objects.create_user(username, f"{username}@example.vn", PASSWORD, is_staff=True)
    user.groups.add(Group.objects.get(name=EDITORS))
    return user


def signed_in(user: User, client: Client | None = None) -> Client:
    """`client` (a new one by default) logged in as `user` with its password."""
    client = client or Client()
    assert client.login(username=user.get_username(), password=PASSWORD)
    return client


def seed_text(name: str) -> str:
    """The searchable text of seed file `name` (../shared/seeds: mark the test needs_shared)."""
    return article_of(parse_text((SEEDS / name).read_text(encoding="utf-8"))).search_text()
