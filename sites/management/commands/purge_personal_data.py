from django.core.management.base import BaseCommand

from sites import retention


class Command(BaseCommand):
    help = "Delete personal data past its retention limit (what the daily beat task does). --dry-run only counts."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="count what would be deleted, delete nothing")

    def handle(self, *args, dry_run: bool, **options):
        counts = retention.purge_expired(dry_run=dry_run)
        verb = "would delete" if dry_run else "deleted"
        for rule in retention.rules():
            self.stdout.write(f"{rule.model:<28} kept {rule.keep.days:>4} days  {verb} {counts[rule.model]}")
