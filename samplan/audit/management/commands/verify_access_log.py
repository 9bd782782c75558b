from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from samplan.audit.models import AccessLogEntry
from samplan.audit.verification import verify_chain


class Command(BaseCommand):
    help = "Kontrollerar åtkomstloggens hashkedja och pekar ut den första posten som inte stämmer."

    def handle(self, *args: Any, **options: Any) -> None:
        report = verify_chain()
        if report.intact:
            self.stdout.write(
                self.style.SUCCESS(
                    _("Åtkomstloggen är obruten: %(n)d poster kontrollerade.")
                    % {"n": report.checked}
                )
            )
            return
        if report.first_broken_id is None:
            raise CommandError(
                _(
                    "Åtkomstloggen är bruten i slutet: %(n)d poster stämmer men kedjans huvud "
                    "gör det inte. Poster kan ha tagits bort efter post %(n)d."
                )
                % {"n": report.checked}
            )
        entry = AccessLogEntry.objects.get(pk=report.first_broken_id)
        reason = {
            "content": _("innehållet har ändrats"),
            "previous_hash": _("föregående post saknas eller har ändrats"),
        }[report.reason]
        raise CommandError(
            _(
                "Åtkomstloggen är bruten. Första felaktiga post: #%(id)d (%(at)s, %(user)s): "
                "%(reason)s."
            )
            % {"id": entry.pk, "at": entry.at.isoformat(), "user": entry.username, "reason": reason}
        )
