from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from funding.operations import OperationDataError, operation_load


class Command(BaseCommand):
    help = (
        "Load the FEDER operation as approved (identity, expense lines, co-financing plan, deployment phases, "
        "publicity obligations) from its data file. Safe to run again; checks every share to the cent."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", type=Path, default=settings.FEDER_OPERATION_FILE, help="TOML data file")

    def handle(self, *args, file: Path, verbosity: int, **options):
        try:
            report = operation_load(path=file)
        except OperationDataError as exc:
            raise CommandError(str(exc)) from exc
        if verbosity > 1:
            for line in report.created:
                self.stdout.write(f"  + {line}")
            for line in report.completed:
                self.stdout.write(f"  ~ {line}")
        self.stdout.write(
            self.style.SUCCESS(
                f"{file.name}: {len(report.created)} created, {len(report.completed)} updated, "
                f"{report.unchanged} already up to date."
            )
        )
