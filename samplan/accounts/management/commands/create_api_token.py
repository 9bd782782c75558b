from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from samplan.accounts.tokens import api_token_create
from samplan.directory.models import Membership


class Command(BaseCommand):
    help = "Skapar en API-nyckel som agerar som ett medarbetaruppdrag (användare + enhet + roll)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("unit_hsa_id")
        parser.add_argument("--name", default="Journalsystem")

    def handle(self, *args: Any, **options: Any) -> None:
        membership = (
            Membership.objects.active()
            .filter(user__username=options["username"], unit__hsa_id=options["unit_hsa_id"])
            .first()
        )
        if membership is None:
            raise CommandError("Inget aktivt uppdrag för den användaren på den enheten.")
        _record, token = api_token_create(membership=membership, name=options["name"])
        self.stdout.write(token)
