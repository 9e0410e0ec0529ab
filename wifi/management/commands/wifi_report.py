"""Monthly WiFi availability report, as the maintenance contract counts it: a table, or CSV on stdout."""

import datetime

from django.core.management.base import BaseCommand, CommandError

from core.csv import csv_write
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
            raise CommandError(f"--month must be YYYY-MM, not {month!r}") from None
        report = reports.availability_report(sites=Site.objects.all(), month=first)
        if as_csv:
            _write_csv(self.stdout, report)
        else:
            self.stdout.write(_table(report))


def _write_csv(stream, report: reports.MonthlyReport) -> None:
    csv_write(stream, reports.report_csv_rows(report))  # escaped and `;`-separated, like the download


def _percent(figures: reports.Figures) -> str:
    return "—" if figures.availability is None else f"{figures.availability:.2f} %"


def _cells(name: str, f: reports.Figures) -> tuple[str, ...]:
    return (name, _percent(f), str(f.hours_with_data), str(f.incidents), f.downtime_display,
            f.longest_incident_display, f.planned_downtime_display)  # fmt: skip


def _table(report: reports.MonthlyReport) -> str:
    header = ("Site / access point", "Availability", "Hours", "Incidents", "Downtime", "Longest", "Planned downtime")
    rows: list[tuple[str, ...]] = []
    for site_report in report.sites:
        for row in site_report.access_points:
            rows.append(_cells(f"  {row.access_point.label}", row.figures))
        rows.append(_cells(f"{site_report.site} — total", site_report.total))
    rows.append(_cells("All sites", report.total))
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]

    def line(cells):
        first = cells[0].ljust(widths[0])
        return "  ".join([first, *(c.rjust(w) for c, w in zip(cells[1:], widths[1:], strict=True))]).rstrip()

    last_day = report.ends_at - datetime.timedelta(days=1)
    title = f"WiFi availability {report.month:%Y-%m} ({report.starts_at:%d/%m} to {last_day:%d/%m/%Y}, Paris time)"
    lines = [title, "", line(header), "  ".join("-" * w for w in widths)]
    lines += [line(r) for r in rows]
    return "\n".join(lines) + "\n"
