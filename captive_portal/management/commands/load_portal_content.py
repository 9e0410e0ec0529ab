from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from captive_portal.content import ContentDataError, portal_content_load

DEFAULT_FILE = Path(settings.BASE_DIR) / "data" / "portal" / "default_content.json"


class Command(BaseCommand):
    help = (
        "Load the portal's default content: terms of use (version 1, French and English) and the every-site "
        "blocks (online public services, prevention). Safe to run again: it creates what is missing and never "
        "rewrites what agents edited."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "file", nargs="?", type=Path, default=DEFAULT_FILE, help=f"JSON file (default: {DEFAULT_FILE})"
        )

    def handle(self, *args, file: Path, verbosity: int, **options):
        try:
            report = portal_content_load(path=file)
        except ContentDataError as exc:
            raise CommandError(str(exc)) from exc
        if verbosity > 1:
            for line in report.created:
                self.stdout.write(f"  + {line}")
        self.stdout.write(
            self.style.SUCCESS(f"{file.name}: {len(report.created)} created, {report.unchanged} already there.")
        )
