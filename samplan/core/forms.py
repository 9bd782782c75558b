"""Form base classes rendering accessible fields (label, hint, error tied by aria-describedby),
shared fields, and what the plan editors of the SIP and the SVPL have in common: removable rows
in formsets, adding a row without saving, saving over another writer's revision after a conflict,
and one error summary for the whole editor."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from django import forms
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django.forms import BoundField
    from django.http import QueryDict
    from django.utils.functional import Promise
    from django_stubs_ext import StrOrPromise

    from samplan.directory.models import Unit


class SamplanFormMixin:
    template_name = "includes/form.html"
    fieldsets: ClassVar[Sequence[tuple[str | Promise, Sequence[str]]]] = ()
    """Fields that belong together, rendered in a ``<fieldset>`` with the given legend: a set of
    checkboxes means little without the question they answer (WCAG 1.3.1)."""

    def field_groups(self) -> list[tuple[str | Promise, list[BoundField]]]:
        """The visible fields in order, consecutive members of a fieldset grouped under its
        legend; every other field in a group of its own with an empty legend."""
        assert isinstance(self, forms.BaseForm)
        legend_of = {name: legend for legend, names in self.fieldsets for name in names}
        groups: list[tuple[str | Promise, list[BoundField]]] = []
        for field in self.visible_fields():
            legend = legend_of.get(field.name, "")
            if legend and groups and groups[-1][0] == legend:
                groups[-1][1].append(field)
            else:
                groups.append((legend, [field]))
        return groups


class SamplanForm(SamplanFormMixin, forms.Form):
    pass


class SamplanModelForm(SamplanFormMixin, forms.ModelForm):
    pass


DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class DateField(forms.DateField):
    """A date typed or picked as YYYY-MM-DD."""

    widget = DATE_WIDGET

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("input_formats", ["%Y-%m-%d"])
        super().__init__(**kwargs)


class UnitField(forms.ModelChoiceField):
    """A unit, named with its organisation (two units of different huvudmän may share a name)."""

    def label_from_instance(self, obj: Unit) -> str:
        return f"{obj.name} ({obj.organisation.name})"


# --- Plan editors: a form and formsets of rows (the SIP plan, the SVPL) -----------------------


class RowFormSet(forms.BaseFormSet):
    """Rows of a plan (goals, insatser, actions) that can be removed, each with a "remove"
    checkbox saying what it removes."""

    delete_label = _("Ta bort")

    def add_fields(self, form: forms.Form, index: int | None) -> None:
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = self.delete_label


def kept_rows(formset: forms.BaseFormSet) -> list[dict[str, Any]]:
    """The rows to save, from a valid formset: every row that was in the plan and is not marked
    for removal, and every new row that was filled in (an untouched blank row is no row)."""
    initial = formset.initial_form_count()
    return [
        form.cleaned_data
        for index, form in enumerate(formset.forms)
        if (index < initial or form.has_changed())
        and form.cleaned_data
        and not form.cleaned_data.get("DELETE")
    ]


def distinct_lines(text: str, *, max_length: int, too_long: StrOrPromise) -> list[str]:
    """A textarea with one item per line (the plan editors' needs): the non-empty lines,
    stripped, each once in the order written; ``too_long`` is the error for a line over
    ``max_length`` characters."""
    lines = [line.strip() for line in text.splitlines()]
    items = [line for line in lines if line]
    if any(len(line) > max_length for line in items):
        raise forms.ValidationError(too_long)
    return list(dict.fromkeys(items))


def whole_number(raw: str | None, default: int) -> int:
    """A posted non-negative whole number, or ``default`` when it is missing or not one."""
    return int(raw) if raw and raw.isdigit() else default


def with_added_row(data: QueryDict | None, prefixes: Sequence[str]) -> tuple[QueryDict | None, str]:
    """The posted editor with one more row in the formset whose ``add_<prefix>`` button was
    pressed, and that prefix; ``data`` unchanged and ``""`` when the writer did not add a row.
    Adding a row is not saving: the page comes back with the writer's input and the new row."""
    if data is None:
        return None, ""
    added = ""
    for prefix in prefixes:
        if f"add_{prefix}" in data:
            data = data.copy()
            total = whole_number(data.get(f"{prefix}-TOTAL_FORMS"), 0)
            data[f"{prefix}-TOTAL_FORMS"] = str(total + 1)
            added = prefix
    return data, added


def focus_new_row(formset: forms.BaseFormSet, field: str) -> None:
    """The new row's first field takes the focus, with or without JavaScript."""
    formset.forms[-1].fields[field].widget.attrs["autofocus"] = True


def draft_base_revision(data: QueryDict, opened: int) -> int:
    """The revision a save of the draft is based on: the one the writer opened or, after a
    conflict, the other writer's revision when the writer chose to save their version over it
    (the ``save_over`` button and the ``over_revision`` the conflict showed)."""
    if "save_over" in data:
        return whole_number(data.get("over_revision"), opened)
    return opened


def editor_errors(form: forms.Form, *rows: tuple[forms.BaseFormSet, str]) -> list[tuple[str, str]]:
    """Every error on a plan editor – its form and its formsets of rows, each row named by its
    formset's label with ``%(n)s`` for its number – as (anchor id, text) for one error summary.
    A hidden field (a row's id) only fails when the page was tampered with: that is said too."""
    found: list[tuple[str, str]] = [("", str(e)) for e in form.non_field_errors()]
    for formset, _label in rows:
        if formset.is_bound:
            found += [("", str(e)) for e in formset.non_form_errors()]
    labelled: list[tuple[str, forms.Form]] = [("", form)]
    for formset, label in rows:
        labelled += [(label % {"n": i + 1}, row) for i, row in enumerate(formset.forms)]
    for label, each in labelled:
        if not each.is_bound:
            continue
        found += [(f"{each.prefix or ''}", f"{label}: {e}") for e in each.non_field_errors()]
        for field in each.hidden_fields():
            for error in field.errors:
                name = f"{label}, {field.name}" if label else field.name
                found.append(("", f"{name}: {error}"))
        for field in each.visible_fields():
            for error in field.errors:
                anchor = field.id_for_label or f"{field.auto_id}_0"
                text = f"{label}, {field.label}: {error}" if label else f"{field.label}: {error}"
                found.append((anchor, text))
    return found
