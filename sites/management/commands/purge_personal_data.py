from django.apps import apps
from django.core.management.base import BaseCommand
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.formats import grouped
from sites import retention


class Command(BaseCommand):
    help = "Delete personal data past its retention limit (what the daily beat task does). --dry-run only counts."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="count what would be deleted, delete nothing")

    def handle(self, *args, dry_run: bool, **options):
        counts = retention.purge_expired(dry_run=dry_run)
        if dry_run:
            self.stdout.write(_("Dry run: nothing deleted."))
        rows = []
        for rule in retention.rules():
            # What the data is in words, then the model's label for those who look it up in the code.
            name = f"{capfirst(apps.get_model(rule.model)._meta.verbose_name_plural)} ({rule.model})"
            days = rule.keep.days
            kept = ngettext("kept %(n)s day", "kept %(n)s days", days) % {"n": grouped(days)}
            rows.append((name, kept, _deleted(counts[rule.model], dry_run)))
        widths = [max(len(row[i]) for row in rows) for i in range(2)] if rows else [0, 0]
        for name, kept, deleted in rows:
            self.stdout.write(f"{name.ljust(widths[0])}  {kept.ljust(widths[1])}  {deleted}")
        self.stdout.write(_("Total: %(deleted)s.") % {"deleted": _deleted(sum(counts.values()), dry_run)})


def _deleted(n: int, dry_run: bool) -> str:
    if dry_run:
        return ngettext("%(n)s row would be deleted", "%(n)s rows would be deleted", n) % {"n": grouped(n)}
    return ngettext("%(n)s row deleted", "%(n)s rows deleted", n) % {"n": grouped(n)}
