import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from wifi.inventory_import import COLUMNS, IMPORT_ONLY_COLUMNS, ImportReport, LineStatus, aps_import


class Command(BaseCommand):
    help = (
        "Import access points from an inventory CSV (UTF-8 with or without BOM, or Windows-1252 as French Excel "
        f"writes it; ';' or ','; the columns of the inventory export: {', '.join(COLUMNS)}; and "
        f"{', '.join(IMPORT_ONLY_COLUMNS)}, which names the credential set holding that community). Access points "
        "are matched by serial number: created or updated. Every line is checked first; if one is wrong nothing "
        "is imported (unless --partial). Exits with status 1 when errors kept the file out."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="the CSV file")
        parser.add_argument("--partial", action="store_true", help="import the valid lines even if others are wrong")
        parser.add_argument("--dry-run", action="store_true", help="check the file and say what would change")

    def handle(self, *args, file: Path, partial: bool, dry_run: bool, verbosity: int, **options):
        try:
            handle = file.open("rb")
        except OSError as exc:
            raise CommandError(f"{file} : {exc.strerror}") from exc
        with handle:
            report = aps_import(
                actor=None, file=handle, filename=file.name, partial=partial, dry_run=dry_run, progress=self._progress
            )
        self._print_report(report, verbosity)
        self._print_summary(report)
        if report.refused:
            raise CommandError(_("Nothing was imported: correct the lines above, or use --partial."))

    def _progress(self, done: int, total: int) -> None:
        # Plain text on stderr, so stdout stays the report; a carriage return redraws the same line.
        width = 30
        filled = width * done // total
        sys.stderr.write(f"\r{_('Checking')} [{'#' * filled}{' ' * (width - filled)}] {done}/{total}")
        if done == total:
            sys.stderr.write("\n")
        sys.stderr.flush()

    def _print_report(self, report: ImportReport, verbosity: int) -> None:
        if report.encoding:
            self.stdout.write(_("Read as %(encoding)s.") % {"encoding": report.encoding})
        for error in report.file_errors:
            self.stderr.write(self.style.ERROR(error))
        for line in report.error_lines:
            for error in line.errors:
                self.stdout.write(self.style.ERROR(_line(line.line, line.serial_number or "?", error)))
        # One message per distinct warning: 9,000 lines naming the same missing credential set are one line here.
        for group in report.grouped_warnings():
            count = ngettext("%(count)d line", "%(count)d lines", group.count) % {"count": group.count}
            self.stdout.write(self.style.WARNING(f"{count} ({group.lines_text})\u00a0: {group.message}"))
        if verbosity > 1:
            for line in report.lines:
                if line.status != LineStatus.ERROR:
                    changed = f" [{', '.join(line.changed)}]" if line.changed else ""
                    self.stdout.write(_line(line.line, line.serial_number, f"{_(line.status)}{changed}"))

    def _print_summary(self, report: ImportReport) -> None:
        counts = ", ".join([
            ngettext("%(n)d created", "%(n)d created", report.created) % {"n": report.created},
            ngettext("%(n)d updated", "%(n)d updated", report.updated) % {"n": report.updated},
            ngettext("%(n)d unchanged", "%(n)d unchanged", report.unchanged) % {"n": report.unchanged},
            ngettext("%(n)d with errors", "%(n)d with errors", report.errors) % {"n": report.errors},
        ])  # fmt: skip
        if report.dry_run:
            verdict = _("The file would be refused") if report.refused else _("The file would be imported")
            self.stdout.write(_("Dry run, nothing written. %(verdict)s: %(counts)s.") % {"verdict": verdict,
                                                                                       "counts": counts})  # fmt: skip
        elif report.imported:
            self.stdout.write(self.style.SUCCESS(_("Imported: %(counts)s.") % {"counts": counts}))
        else:
            valid = report.created + report.updated + report.unchanged
            self.stdout.write(self.style.ERROR(
                _("Nothing imported: %(valid)s, %(errors)s.") % {
                    "valid": ngettext("%(n)d valid line", "%(n)d valid lines", valid) % {"n": valid},
                    "errors": ngettext("%(n)d with errors", "%(n)d with errors", report.errors) % {"n": report.errors},
                }
            ))  # fmt: skip


def _line(number: int, serial: str, text: str) -> str:
    """One line of the file and what became of it: "ligne 4 (SN123) : …"."""
    return _("line %(number)d (%(serial)s): %(text)s") % {"number": number, "serial": serial, "text": text}
