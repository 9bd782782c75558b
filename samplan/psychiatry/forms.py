"""Forms of the SVPL pages: starting the plan and the draft editor (plan fields, needs one per
line, insatser and others' actions as rows)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from samplan.core.forms import (
    DateField,
    RowFormSet,
    SamplanForm,
    UnitField,
    distinct_lines,
    kept_rows,
)
from samplan.directory.models import Unit
from samplan.psychiatry.models import LegalBasis
from samplan.psychiatry.plan import SvplContent


class StartForm(SamplanForm):
    legal_basis = forms.ChoiceField(
        label=_("Rättslig grund"),
        choices=LegalBasis.choices,
        widget=forms.RadioSelect,
        help_text=_("Vården som patienten går över till efter utskrivningen."),
    )
    physician = forms.CharField(
        label=_("Chefsöverläkare som skriver planen"),
        max_length=300,
        help_text=_("Namn och titel. Underrättelsen skickas i läkarens namn."),
    )
    body = forms.CharField(
        label=_("Meddelande till enheterna"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=5000,
        help_text=_("Frivilligt, t.ex. när ni föreslår att ses för att skriva planen."),
    )


class PlanForm(SamplanForm):
    base_revision = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    needs = forms.CharField(
        label=_("Bedömda behov"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text=_("Ett behov per rad: vård, stöd och behandling efter utskrivningen."),
    )
    patient_view = forms.CharField(
        label=_("Patientens synpunkter på planen, med patientens egna ord"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=5000,
        help_text=_("Skriv det patienten säger, eller att patienten inte vill lämna några."),
    )
    chief_physician = forms.CharField(
        label=_("Chefsöverläkare som har skrivit planen"), max_length=300, required=False
    )
    applies_from = DateField(label=_("Planen gäller från"), required=False)

    def clean_needs(self) -> list[str]:
        # As the SIP's, but an assessed need in an SVPL is long text (SvplContent.needs).
        return distinct_lines(
            self.cleaned_data["needs"],
            max_length=5000,
            too_long=_("Ett behov får vara högst 5 000 tecken."),
        )


class InsatsForm(SamplanForm):
    id = forms.CharField(widget=forms.HiddenInput, required=False, max_length=40)
    need_ids = forms.CharField(widget=forms.HiddenInput, required=False, max_length=2000)
    what = forms.CharField(label=_("Insats"), max_length=5000)
    decision = forms.CharField(
        label=_("Beslut"),
        max_length=5000,
        required=False,
        help_text=_("Vilket beslut som är fattat om insatsen, t.ex. beviljad eller beslutad."),
    )
    unit = UnitField(
        label=_("Ansvarig enhet"),
        queryset=Unit.objects.none(),
        required=False,
        empty_label=_("En annan enhet – skriv namnet nedan"),
    )
    responsible_unit = forms.CharField(
        label=_("Annan ansvarig enhet"),
        max_length=300,
        required=False,
        help_text=_(
            "När enheten inte deltar i ärendet, t.ex. en psykiatrisk öppenvårdsmottagning."
        ),
    )
    responsible_person = forms.CharField(label=_("Vem gör det?"), max_length=300, required=False)
    patient_view = forms.CharField(
        label=_("Patientens syn på insatsen"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=5000,
        required=False,
    )

    def __init__(self, *args: Any, units: Sequence[Unit] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.filter(  # type: ignore[attr-defined]
            pk__in=[u.pk for u in units]
        ).select_related("organisation")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("unit") is None and not cleaned.get("responsible_unit"):
            self.add_error(
                "responsible_unit",
                _("Välj en enhet i ärendet eller skriv vilken annan enhet som ansvarar."),
            )
        return cleaned


class OtherActionForm(SamplanForm):
    id = forms.CharField(widget=forms.HiddenInput, required=False, max_length=40)
    who = forms.CharField(
        label=_("Vem?"),
        max_length=300,
        help_text=_("Någon annan än regionen och kommunen, t.ex. god man eller Försäkringskassan."),
    )
    what = forms.CharField(label=_("Vad gör de?"), max_length=5000)


class _InsatsFormSet(RowFormSet):
    delete_label = _("Ta bort insatsen")


class _OtherFormSet(RowFormSet):
    delete_label = _("Ta bort åtgärden")


InsatsFormSet = forms.formset_factory(InsatsForm, formset=_InsatsFormSet, extra=1, can_delete=True)
OtherFormSet = forms.formset_factory(
    OtherActionForm, formset=_OtherFormSet, extra=1, can_delete=True
)


def plan_initial(content: SvplContent, revision: int) -> dict[str, Any]:
    return {
        "base_revision": revision,
        "needs": "\n".join(n.text for n in content.needs),
        "patient_view": content.patient_view,
        "chief_physician": content.chief_physician,
        "applies_from": content.applies_from,
    }


def insatser_initial(content: SvplContent) -> list[dict[str, Any]]:
    return [
        {
            "id": i.id,
            "need_ids": ",".join(i.need_ids),
            "what": i.what,
            "decision": i.decision,
            "unit": i.unit_id,
            "responsible_unit": "" if i.unit_id else i.responsible_unit,
            "responsible_person": i.responsible_person,
            "patient_view": i.patient_view,
        }
        for i in content.insatser
    ]


def others_initial(content: SvplContent) -> list[dict[str, Any]]:
    return [{"id": a.id, "who": a.who, "what": a.what} for a in content.other_actions]


def content_from(
    plan: PlanForm,
    insatser: forms.BaseFormSet,
    others: forms.BaseFormSet,
    previous: SvplContent,
) -> dict[str, Any]:
    """The plan as the service takes it, from valid forms. A need keeps its id while its text is
    unchanged; links from insatser to removed needs are dropped."""
    ids_by_text = {n.text: n.id for n in previous.needs}
    needs = [{"id": ids_by_text.get(text, ""), "text": text} for text in plan.cleaned_data["needs"]]
    need_ids = {n["id"] for n in needs if n["id"]}
    rows = []
    for row in kept_rows(insatser):
        unit = row.get("unit")
        linked = [n for n in (row.get("need_ids") or "").split(",") if n in need_ids]
        rows.append(
            {
                "id": row.get("id", ""),
                "what": row["what"],
                "decision": row.get("decision", ""),
                "unit_id": unit.pk if unit else None,
                "responsible_unit": "" if unit else row.get("responsible_unit", ""),
                "responsible_person": row.get("responsible_person", ""),
                "patient_view": row.get("patient_view", ""),
                "need_ids": linked,
            }
        )
    return {
        "needs": needs,
        "insatser": rows,
        "patient_view": plan.cleaned_data["patient_view"],
        "other_actions": [
            {"id": r.get("id", ""), "who": r["who"], "what": r["what"]} for r in kept_rows(others)
        ],
        "chief_physician": plan.cleaned_data["chief_physician"],
        "applies_from": plan.cleaned_data["applies_from"],
    }
