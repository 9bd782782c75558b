"""What changed in the person's plan, said the way the person reads it. Pure: no ORM, no HTTP.

The staff read :func:`samplan.sip.plan.plan_diff`'s sentences ("Ansvarig organisation för …
ändrad från … till …"); Min plan says the same in plain Swedish, short words and short
sentences, with the statuses in the person's words (:data:`PERSON_ACTION_STATUS_LABELS`).
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from samplan.sip.plan import PERSON_ACTION_STATUS_LABELS, ActionStatus, Change

__all__ = ["person_sentence", "status_words"]


def status_words(status: ActionStatus | str) -> str:
    return str(PERSON_ACTION_STATUS_LABELS[ActionStatus(status)])


def _q(text: str) -> str:
    return f"”{text}”" if text else _("(inget)")


def person_sentence(change: Change) -> str:
    """``change`` as one or two short sentences for the person."""
    what, old, new = _q(change.subject), _q(change.old), _q(change.new)
    kind = change.kind
    if kind == "goal":
        return _("Ditt mål är nu: %(new)s.") % {"new": new}
    if kind == "subgoal_added":
        return _("Nytt delmål: %(what)s.") % {"what": what}
    if kind == "subgoal_changed":
        return _("Ett delmål heter nu %(new)s.") % {"new": new}
    if kind == "subgoal_measure":
        return _("Så vet ni att %(what)s är nått: %(new)s.") % {"what": what, "new": new}
    if kind == "subgoal_removed":
        return _("Delmålet %(what)s finns inte kvar.") % {"what": what}
    if kind == "need_added":
        return _("Nytt behov i planen: %(what)s.") % {"what": what}
    if kind == "need_removed":
        return _("Behovet %(what)s står inte kvar i planen.") % {"what": what}
    if kind == "action_added":
        sentence = _("Ny hjälp: %(what)s.") % {"what": what}
        if change.new:
            sentence += " " + _("Det gör %(who)s.") % {"who": change.new}
        if change.due:
            sentence += " " + _("Klart senast %(day)s.") % {"day": change.due}
        return sentence
    if kind == "action_what":
        return _("%(old)s heter nu %(new)s.") % {"old": old, "new": new}
    if kind == "action_organisation":
        return _("Nu gör %(new)s det här: %(what)s.") % {"new": change.new or old, "what": what}
    if kind == "action_responsible":
        return _("Ny person för %(what)s: %(new)s.") % {"what": what, "new": change.new or new}
    if kind == "action_due":
        if not change.new:
            return _("%(what)s har inget sista datum nu.") % {"what": what}
        return _("%(what)s ska nu vara klart senast %(day)s.") % {"what": what, "day": change.new}
    if kind == "action_status":
        return _("Läget för %(what)s: %(status)s.") % {
            "what": what,
            "status": status_words(change.new).lower(),
        }
    if kind == "action_removed":
        return _("%(what)s finns inte kvar i planen.") % {"what": what}
    if kind == "lead":
        return _("Nu har %(new)s ansvar för hela planen.") % {"new": change.new or new}
    if kind == "follow_up_on":
        if not change.new:
            return _("Det finns ingen dag för att följa upp planen nu.")
        return _("Ni följer upp planen senast %(day)s.") % {"day": change.new}
    if kind == "follow_up_by":
        return _("Planen följs upp av %(who)s.") % {"who": change.new or new}
    return change.text
