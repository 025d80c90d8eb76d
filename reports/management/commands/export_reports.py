"""Write the exports to files, for scheduled archiving (cron, systemd timers)."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone, translation

from indicators.engine import InvalidAsOf, parse_as_of, target_breakdown, term_progress
from indicators.models import Term
from indicators.selectors import results_for_export
from reports import exports
from reports.templatetags.progress import as_of_label
from units.models import Unit
from units.text import whole_number

CHUNK_SIZE = 2000


class Command(BaseCommand):
    help = (
        "Write the summary table, each target's breakdown by unit and the raw results "
        "as CSV and Excel files, as the /exports/ downloads would give them."
    )

    def add_arguments(self, parser):
        parser.add_argument("--term", type=int, help="Term id (default: the latest term).")
        parser.add_argument("--as-of", default="", help="A year, 'mid' (default) or 'end'.")
        parser.add_argument("--unit", help="Unit id or code (default: the term's committee).")
        parser.add_argument(
            "--output",
            default=None,
            help="Directory to write into (default: exports-<date>); created if missing.",
        )
        parser.add_argument(
            "--format",
            dest="formats",
            action="append",
            choices=["csv", "xlsx"],
            help="csv, xlsx or both (repeat the option); both by default.",
        )
        parser.add_argument(
            "--language", default="vi", help="Language of headers and labels (default: vi)."
        )

    def handle(self, *args, **options):
        with translation.override(options["language"]):
            self._export(options)

    def _export(self, options):
        terms = Term.objects.select_related("root_unit")
        term = terms.filter(pk=options["term"]).first() if options["term"] else terms.first()
        if term is None:
            raise CommandError("No such term.")
        # As on /exports/results.*: without --as-of, every year of the term.
        as_of_given = bool(options["as_of"].strip())
        try:
            as_of = parse_as_of(term, options["as_of"])
        except InvalidAsOf as error:
            raise CommandError(f"Invalid --as-of: {error}") from None
        scope = term.root_unit
        if options["unit"]:
            raw = options["unit"]
            units = Unit.objects.subtree(term.root_unit)
            by_id = units.filter(pk=whole_number(raw)).first() if whole_number(raw) else None
            scope = by_id or units.filter(code=raw).first()
            if scope is None:
                raise CommandError(f"No unit {raw!r} under {term.root_unit}.")
        formats = options["formats"] or ["csv", "xlsx"]
        output = Path(options["output"] or f"exports-{timezone.localdate():%Y-%m-%d}")
        (output / "targets").mkdir(parents=True, exist_ok=True)

        progress = term_progress(term=term, as_of=as_of, scope=scope)
        tables = {"summary": lambda: exports.summary_table(progress)}
        for row in progress.targets:
            target = row.target
            tables[f"targets/{target.pk}"] = lambda target=target: exports.breakdown_table(
                term=term,
                as_of=as_of,
                scope=scope,
                target=target,
                breakdown=target_breakdown(term=term, target=target, as_of=as_of, scope=scope),
            )
        tables["results"] = lambda: exports.results_table(
            term=term,
            scope=scope,
            values=results_for_export(
                term=term, scope=scope, up_to_year=as_of.year if as_of_given else None
            ).iterator(chunk_size=CHUNK_SIZE),
            as_of_text=as_of_label(as_of) if as_of_given else None,
        )
        written = 0
        for name, build in tables.items():
            for fmt in formats:
                path = output / f"{name}.{fmt}"
                if fmt == "csv":
                    with path.open("w", encoding="utf-8", newline="") as stream:
                        exports.write_csv(build(), stream)
                else:
                    with path.open("wb") as stream:
                        exports.write_xlsx(build(), stream)
                written += 1
        self.stdout.write(
            f"Wrote {written} files to {output} ({term}, {as_of_label(as_of)}, {scope})."
        )
