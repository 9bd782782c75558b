"""Form base classes rendering accessible fields (label, hint, error tied by aria-describedby)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, ClassVar

from django import forms

if TYPE_CHECKING:
    from django.forms import BoundField
    from django.utils.functional import Promise


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
