"""Monthly WiFi availability report, as the maintenance contract counts it: a table, or CSV on stdout."""

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from core.csv import csv_write
from core.formats import grouped
from sites.models import Site
from wifi import reports
from wifi.forms_board import parse_month


class Command(BaseCommand):
    help = "Availability of every access point and site over a month (Europe/Paris), from the hourly roll-ups."

    def add_arguments(self, parser):
        parser.add_argument("--month", help="YYYY-MM; default: the last complete month")
        parser.add_argument("--csv", action="store_true", dest="as_csv", help="CSV on stdout instead of a table")

    def handle(self, *args, month=None, as_csv=False, **options):
        try:
            first = parse_month(month) if month else reports.last_complete_month()
        except ValueError:
            raise CommandError(_("--month must be YYYY-MM, not “%(month)s”.") % {"month": month}) from None
        report = reports.availability_report(sites=Site.objects.all(), month=first)
        if as_csv:
            _write_csv(self.stdout, report)
        else:
            self.stdout.write(_table(report))


def _write_csv(stream, report: reports.MonthlyReport) -> None:
    csv_write(stream, reports.report_csv_rows(report))  # escaped and `;`-separated, like the download


def _percent(figures: reports.Figures) -> str:
    # "90,00 %" in French, the no-break space keeping the sign with its number.
    return "—" if figures.availability is None else f"{grouped(figures.availability, 2)}\u00a0%"


def _cells(name: str, f: reports.Figures) -> tuple[str, ...]:
    return (name, _percent(f), grouped(f.hours_with_data), grouped(f.incidents), f.downtime_display,
            f.longest_incident_display, f.planned_downtime_display)  # fmt: skip


def _table(report: reports.MonthlyReport) -> str:
    # The headings of the report page, so that the table and the page say the same.
    header = (_("Access point"), _("Availability"), _("Hours with data"), _("Incidents"), _("Downtime"),
              _("Longest incident"), _("Planned downtime"))  # fmt: skip
    rows: list[tuple[str, ...]] = []
    for site_report in report.sites:
        for row in site_report.access_points:
            rows.append(_cells(f"  {row.access_point.label}", row.figures))
        rows.append(_cells(_("Total %(site)s") % {"site": site_report.site}, site_report.total))
    rows.append(_cells(_("All sites"), report.total))
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]

    def line(cells):
        first = cells[0].ljust(widths[0])
        return "  ".join([first, *(c.rjust(w) for c, w in zip(cells[1:], widths[1:], strict=True))]).rstrip()

    paris = timezone.get_default_timezone()  # Europe/Paris: the contract's months
    last_day = timezone.localtime(report.ends_at, paris).date() - datetime.timedelta(days=1)
    title = _("WiFi availability, %(month)s (from the 1st to %(last)s, Paris time)") % {
        "month": date_format(report.month, "YEAR_MONTH_FORMAT"),
        "last": date_format(last_day, "DATE_FORMAT"),
    }
    lines = [title, "", line(header), "  ".join("-" * w for w in widths)]
    lines += [line(r) for r in rows]
    return "\n".join(lines) + "\n"
