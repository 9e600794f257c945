"""An index in the order article lists are read (published first, newest first, undated last), so a
page of a list is read from the index instead of sorting every article. Written per database:
PostgreSQL must be told NULLS LAST, which SQLite's CREATE INDEX does not accept (there a descending
column already puts NULLs last)."""

from django.db import migrations

NAME = "archive_article_listing"


def create(apps, schema_editor):
    nulls_last = " NULLS LAST" if schema_editor.connection.vendor == "postgresql" else ""
    schema_editor.execute(
        f"CREATE INDEX {NAME} ON archive_article (status, published_at DESC{nulls_last}, id DESC)"
    )


def drop(apps, schema_editor):
    schema_editor.execute(f"DROP INDEX {NAME}")


class Migration(migrations.Migration):
    dependencies = [("archive", "0005_official_name_index")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
