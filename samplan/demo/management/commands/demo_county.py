"""``manage.py demo_county``: create the fictional county Exempellän and print its sign-ins."""

from __future__ import annotations

import sys
import time
from datetime import date
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from samplan.demo import generator


class Command(BaseCommand):
    help = (
        "Skapar demolänet Exempellän (region, kommuner, enheter, personal, syntetiska personer "
        "och utskrivningsärenden i alla skeden) och skriver ut demoinloggningarna. Körs bara i "
        "demoläge (SAMPLAN_DEMO=1)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=generator.DEFAULT_SEED)
        parser.add_argument(
            "--persons", type=int, default=generator.DEFAULT_PERSONS, help="Antal personer."
        )
        parser.add_argument(
            "--reference-date",
            type=date.fromisoformat,
            default=generator.REFERENCE_DATE,
            help="Dag som åldrar och datum räknas från (ÅÅÅÅ-MM-DD).",
        )
        parser.add_argument("--batch-size", type=int, default=generator.DEFAULT_BATCH_SIZE)
        parser.add_argument("--no-progress", action="store_true", help="Ingen förloppsindikator.")
        parser.add_argument(
            "--no-cases",
            action="store_true",
            help="Inga utskrivningsärenden. Körs kommandot senare utan flaggan läggs de till.",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Kör även utanför demoläge. Skapar användare med kända lösenord!",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEMO_MODE and not options["force"]:
            raise CommandError(
                "Demolänet skapar användare med kända lösenord och körs bara i demoläge "
                "(SAMPLAN_DEMO=1). Använd --force om du verkligen menar det."
            )
        if options["persons"] < 0 or options["batch_size"] < 1:
            raise CommandError("--persons måste vara minst 0 och --batch-size minst 1.")
        started = time.perf_counter()
        result = generator.create_demo_county(
            seed=options["seed"],
            persons=options["persons"],
            reference_date=options["reference_date"],
            batch_size=options["batch_size"],
            progress=not options["no_progress"],
            progress_file=sys.stderr,
            cases=not options["no_cases"],
        )
        if result.created:
            elapsed = time.perf_counter() - started
            summary = ", ".join(f"{count} {what}" for what, count in result.counts.items())
            self.stdout.write(
                self.style.SUCCESS(f"{generator.REGION_NAME} är skapad på {elapsed:.1f} s: ")
                + summary
                + "."
            )
        elif added := result.counts.get(generator.CASES_KEY):
            self.stdout.write(
                f"{generator.REGION_NAME} finns redan; {added} utskrivningsärenden har lagts "
                "till. Demoinloggningarna är:"
            )
        else:
            self.stdout.write(
                f"{generator.REGION_NAME} finns redan; ingenting har skapats. "
                "Demoinloggningarna är:"
            )
        self.stdout.write("")
        self.stdout.write(generator.format_sign_ins(generator.demo_sign_ins()))
