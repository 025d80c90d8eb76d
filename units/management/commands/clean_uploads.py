from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand

from units.uploads import uploads_sweep


class Command(BaseCommand):
    help = "Delete uploaded import files older than UPLOAD_MAX_AGE (or --hours)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--hours",
            type=float,
            default=None,
            help="Age in hours above which an upload is deleted (default: UPLOAD_MAX_AGE).",
        )

    def handle(self, *args, hours: float | None = None, **options):
        age = timedelta(hours=hours) if hours is not None else None
        removed = uploads_sweep(older_than=age or timedelta(seconds=settings.UPLOAD_MAX_AGE))
        self.stdout.write(f"{removed} uploads deleted.")
