"""The editors' group: "Biên tập viên" may add and change articles, localities, officials and their
links, and read the change history; accounts stay with superusers."""

from django.contrib.auth.models import Group, Permission

EDITORS = "Biên tập viên"
ALL = ("add", "change", "delete", "view")
EDITOR_PERMISSIONS: dict[str, dict[str, tuple[str, ...]]] = {
    "archive": {
        "article": ALL,
        "articlelocality": ALL,
        "articleofficial": ALL,
        "articleterm": ALL,
        "dismissedlink": ALL,
        "position": ALL,
        "official": ("add", "change", "view"),
        "locality": ("add", "change", "view"),
        "term": ("add", "change", "view"),
        "source": ("add", "change", "view"),
    },
    "admin": {"logentry": ("view",)},
}


def ensure_editor_group(**kwargs) -> Group:
    """Create or update the group with exactly its permissions (run after every migrate)."""
    group, _created = Group.objects.get_or_create(name=EDITORS)
    wanted = [
        Permission.objects.get(content_type__app_label=app, codename=f"{action}_{model}")
        for app, models in EDITOR_PERMISSIONS.items()
        for model, actions in models.items()
        for action in actions
    ]
    group.permissions.set(wanted)
    return group
