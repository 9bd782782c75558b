"""Steps already taken, held against their deadlines: what was done late (SPEC §7, deadline
compliance). The open obligations say what is still to do; this says how the done ones went."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.utils.translation import gettext as _

from samplan.agreements.schema import AgreementVersion
from samplan.agreements.timeline import AgreementTimeline, as_timeline
from samplan.discharge.rules.category import StepRule, category_requirements
from samplan.discharge.rules.clock import instant
from samplan.discharge.rules.deadlines import (
    admission_notice_due,
    discharge_notice_due,
    sip_invitation_due,
    written_plan_due,
)
from samplan.discharge.rules.facts import CaseFacts
from samplan.discharge.rules.obligations import ObligationKind, admission_trigger

__all__ = ["DeadlineOutcome", "deadline_outcomes"]


@dataclass(frozen=True)
class DeadlineOutcome:
    """A step with a deadline that has been taken: when it was due and when it was done."""

    kind: ObligationKind
    label: str
    due: datetime
    done_at: datetime

    @property
    def late(self) -> bool:
        """Strictly after the deadline, as for obligations."""
        return instant(self.done_at) > instant(self.due)


def deadline_outcomes(
    facts: CaseFacts, agreement: AgreementVersion | AgreementTimeline
) -> list[DeadlineOutcome]:
    """The inskrivningsmeddelande, the kallelse till SIP, the utskrivningsmeddelande and the
    written plan, each as far as it was sent, against its deadline under the version of its
    trigger. A discharge recorded after the fact is dated back, but its notice keeps the time it
    was really sent: sent after the discharge day, it is late."""
    timeline = as_timeline(agreement)
    found: list[DeadlineOutcome] = []
    category = facts.category
    notice_sent = facts.admission_notice_sent_at
    if category is not None and notice_sent is not None:
        rule = category_requirements(category).admission_notice
        if rule is StepRule.REQUIRED or facts.physician_wants_admission_notice:
            due = admission_notice_due(
                facts.admitted_at,
                facts.needs_judged_at,
                timeline.version_at(admission_trigger(facts)),
            )
            found.append(
                DeadlineOutcome(
                    ObligationKind.SEND_ADMISSION_NOTICE,
                    _("Inskrivningsmeddelande"),
                    due,
                    notice_sent,
                )
            )
    ready = facts.ready_notice_sent_at
    invited = facts.sip_invitation_sent_at
    if ready is not None and invited is not None:
        due = sip_invitation_due(ready, timeline.version_at(ready))
        found.append(
            DeadlineOutcome(
                ObligationKind.SEND_SIP_INVITATION, _("Kallelse till SIP"), due, invited
            )
        )
    meeting, given = facts.sip_meeting_at, facts.written_plan_given_at
    if meeting is not None and given is not None:
        due = written_plan_due(meeting, timeline.version_at(meeting))
        found.append(
            DeadlineOutcome(ObligationKind.DELIVER_WRITTEN_PLAN, _("Skriftlig plan"), due, given)
        )
    discharged, notified = facts.discharged_at, facts.discharge_notice_sent_at
    if discharged is not None and notified is not None:
        due = discharge_notice_due(discharged, timeline.version_at(discharged))
        found.append(
            DeadlineOutcome(
                ObligationKind.SEND_DISCHARGE_NOTICE, _("Utskrivningsmeddelande"), due, notified
            )
        )
    return sorted(found, key=lambda outcome: instant(outcome.done_at))
