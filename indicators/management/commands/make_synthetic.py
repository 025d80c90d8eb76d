"""Synthetic data at scale, for benchmarks: `make_synthetic --cells N --targets T --years Y`."""

from django.core.management.base import BaseCommand, CommandParser

from indicators.synthetic import synthetic_make


class Command(BaseCommand):
    help = (
        "Create a synthetic term: N cells under N/10 grassroots organisations, T targets, Y years."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--cells", type=int, default=1500)
        parser.add_argument("--targets", type=int, default=30)
        parser.add_argument("--years", type=int, default=5)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--reorganise",
            type=float,
            default=0.0,
            help="share of the units that move or merge each year (e.g. 0.05)",
        )

    def handle(
        self, *args, cells: int, targets: int, years: int, seed: int, reorganise: float, **options
    ):
        report = synthetic_make(
            cells=cells, targets=targets, years=years, seed=seed, reorganise=reorganise
        )
        self.stdout.write(
            f"term {report.term.pk}: {report.units} units, {report.targets} targets, "
            f"{report.results} results in {report.seconds:.1f} s"
        )
