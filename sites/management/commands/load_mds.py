from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, npgettext

from sites.services import MdsDataError, mds_load


class Command(BaseCommand):
    help = (
        "Load the MDS and their sites from the département's data file. Safe to run again: it creates what is "
        "missing, fills empty fields and never overwrites or deletes what agents entered."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "file",
            nargs="?",
            type=Path,
            default=settings.MDS_DATA_FILE,
            help="JSON data file (default: settings.MDS_DATA_FILE)",
        )

    def handle(self, *args, file: Path, verbosity: int, **options):
        try:
            report = mds_load(path=file)
        except MdsDataError as exc:
            raise CommandError(str(exc)) from exc
        if verbosity > 1:
            for line in report.created:
                self.stdout.write(f"  + {line}")
            for line in report.completed:
                self.stdout.write(f"  ~ {line}")
        self.stdout.write(
            self.style.SUCCESS(
                _("%(file)s: %(created)s, %(completed)s, %(unchanged)s.")
                % {
                    "file": file.name,
                    "created": npgettext("records", "%(n)d created", "%(n)d created", len(report.created))
                    % {"n": len(report.created)},
                    "completed": ngettext(
                        "%(n)d empty field completed", "%(n)d empty fields completed", len(report.completed)
                    )
                    % {"n": len(report.completed)},
                    "unchanged": ngettext("%(n)d already up to date", "%(n)d already up to date", report.unchanged)
                    % {"n": report.unchanged},
                }
            )
        )
