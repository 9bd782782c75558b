"""Form base classes rendering accessible fields (label, hint, error tied by aria-describedby)."""

from django import forms


class SamplanFormMixin:
    template_name = "includes/form.html"


class SamplanForm(SamplanFormMixin, forms.Form):
    pass


class SamplanModelForm(SamplanFormMixin, forms.ModelForm):
    pass
