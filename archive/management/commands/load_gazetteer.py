from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from archive import gazetteer
from archive.progress import number


class Command(BaseCommand):
    help = "Load (or refresh) administrative units: legacy provinces, districts, communes and the 2025 provinces."

    def handle(self, *args, **options):
        report = gazetteer.load()
        if options["verbosity"]:
            self.stdout.write(
                _(
                    "Danh mục đơn vị hành chính: %(current)s tỉnh, thành từ 2025; trước đó %(provinces)s tỉnh, "
                    "thành, %(districts)s quận, huyện, %(communes)s xã, phường, thị trấn."
                )
                % {
                    "current": number(report.current_provinces),
                    "provinces": number(report.provinces),
                    "districts": number(report.districts),
                    "communes": number(report.communes),
                }
            )
