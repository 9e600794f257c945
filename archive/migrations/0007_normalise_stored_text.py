"""Text saved before the normalised fields (0006) into their stored form: above all article bodies
typed in the admin, which a browser posts with "\r\n" line breaks, so their paragraphs showed as
one. Each article changed gets a pending index change, so the index worker re-indexes it."""

from django.db import migrations

BATCH = 500


def normalise_stored_text(apps, schema_editor):
    PendingChange = apps.get_model("search", "PendingChange")
    for name in ("Article", "Source", "Official", "Position"):
        model = apps.get_model("archive", name)
        fields = [f for f in model._meta.fields if hasattr(f, "normalised")]
        changed = []
        for row in model.objects.only("pk", *(f.name for f in fields)).order_by("pk").iterator(chunk_size=BATCH):
            stored = {f.attname: getattr(row, f.attname) for f in fields}
            for field in fields:
                if stored[field.attname]:
                    setattr(row, field.attname, field.normalised(stored[field.attname]))
            if any(getattr(row, attname) != value for attname, value in stored.items()):
                if name == "Source" and model.objects.filter(name=row.name).exclude(pk=row.pk).exists():
                    continue  # its normal form is another source's name: an editor merges the two
                changed.append(row)
        for start in range(0, len(changed), BATCH):
            model.objects.bulk_update(changed[start : start + BATCH], [f.name for f in fields])
        if name == "Article":
            PendingChange.objects.bulk_create([PendingChange(article_id=row.pk) for row in changed])


class Migration(migrations.Migration):
    dependencies = [
        ("archive", "0006_normalised_text_and_link_names"),
        ("search", "0001_pending_changes"),
    ]

    operations = [migrations.RunPython(normalise_stored_text, migrations.RunPython.noop)]
