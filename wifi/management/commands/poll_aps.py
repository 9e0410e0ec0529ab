import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext_lazy

from core.formats import grouped
from wifi.models import AccessPoint, ErrorKind, Health
from wifi.polling import round_run
from wifi.reports import duration_display

# The table's headings, in the platform's language like the rest of the output.
COLUMNS = (
    pgettext_lazy("CSV column", "access point"), gettext_lazy("site"), gettext_lazy("method"),
    gettext_lazy("reachable"), gettext_lazy("latency ms"), gettext_lazy("uptime"), gettext_lazy("clients"),
    gettext_lazy("error"), gettext_lazy("health"),
)  # fmt: skip


def _uptime(seconds: int | None) -> str:
    """ "3 j 4 h 05 min", as the access point's page says it."""
    return "—" if seconds is None else duration_display(datetime.timedelta(seconds=seconds))


class Command(BaseCommand):
    help = (
        "Poll access points now, once, as the minute round does (samples recorded, health moved, incidents "
        "opened or closed), and print what each answered. Default: every AP in service or faulty."
    )

    def add_arguments(self, parser):
        parser.add_argument("--site", metavar="SLUG", help="only the polled APs of this site")
        parser.add_argument(
            "--ap", metavar="SERIAL", action="append", default=[],
            help="only this AP, whatever its lifecycle step (e.g. during acceptance); repeatable",
        )  # fmt: skip
        parser.add_argument("--timeout", type=float, help="seconds per attempt (default: WIFI_PROBE_TIMEOUT)")
        parser.add_argument("--retries", type=int, help="retries per AP (default: WIFI_PROBE_RETRIES)")

    def handle(self, *args, site: str | None, ap: list[str], timeout, retries, **options):
        aps = AccessPoint.objects.select_related("site")
        aps = aps.filter(serial_number__in=ap) if ap else aps.polled()
        if site:
            aps = aps.filter(site__slug=site)
        aps = list(aps)
        missing = set(ap) - {a.serial_number for a in aps}
        if missing:
            raise CommandError(_("Unknown serial numbers: %(serials)s") % {"serials": ", ".join(sorted(missing))})
        if not aps:
            raise CommandError(_("No access point to poll."))

        report = round_run(aps=aps, timeout=timeout, retries=retries)
        if report.skipped:
            raise CommandError(_("A polling round is running now (one at a time): try again when it has finished."))

        results = {r.ap_id: r for r in report.results}
        after = {a.pk: a for a in AccessPoint.objects.filter(pk__in=results).only("pk", "health")}
        rows = [COLUMNS]
        for a in aps:
            r = results[a.pk]
            rows.append((
                a.label, a.site.slug, a.probe_kind, _("yes") if r.reachable else _("no"),
                grouped(r.latency_ms, 1) if r.latency_ms is not None else "—", _uptime(r.uptime_seconds),
                "—" if r.clients is None else str(r.clients),
                f"{ErrorKind(r.error_kind).label} ({r.detail})"[:70] if r.error_kind
                else (_("degraded") + f" ({r.detail})")[:70] if r.degraded
                else "", Health(after[a.pk].health).label if a.pk in after else "?",
            ))  # fmt: skip
        widths = [max(len(str(row[i])) for row in rows) for i in range(len(COLUMNS))]
        for n, row in enumerate(rows):
            self.stdout.write("  ".join(str(cell).ljust(width) for cell, width in zip(row, widths, strict=True)))
            if n == 0:
                self.stdout.write("  ".join("-" * width for width in widths))
        summary = report.summary
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "%(polled)s, %(reachable)s, %(opened)s, %(closed)s, %(rebooted)s, "
                    "%(wall)s s wall time (%(cpu)s s CPU)."
                )
                % {
                    "polled": ngettext("%(n)d polled", "%(n)d polled", summary.polled) % {"n": summary.polled},
                    "reachable": ngettext("%(n)d reachable", "%(n)d reachable", summary.reachable)
                    % {"n": summary.reachable},
                    "opened": ngettext("%(n)d incident opened", "%(n)d incidents opened", len(summary.opened))
                    % {"n": len(summary.opened)},
                    "closed": ngettext("%(n)d closed", "%(n)d closed", len(summary.closed))
                    % {"n": len(summary.closed)},
                    "rebooted": ngettext("%(n)d reboot seen", "%(n)d reboots seen", len(summary.rebooted))
                    % {"n": len(summary.rebooted)},
                    "wall": grouped(report.wall_seconds, 2),
                    "cpu": grouped(report.cpu_seconds, 2),
                }
            )
        )
