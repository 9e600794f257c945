from django.core.management.base import BaseCommand

from archive import gazetteer


class Command(BaseCommand):
    help = "Load (or refresh) administrative units: legacy provinces, districts, communes and the 2025 provinces."

    def handle(self, *args, **options):
        report = gazetteer.load()
        self.stdout.write(
            f"Gazetteer: {report.current_provinces} provinces since 2025, {report.provinces} legacy provinces, "
            f"{report.districts} districts, {report.communes} communes."
        )
