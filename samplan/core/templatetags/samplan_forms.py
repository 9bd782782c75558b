from django import forms, template
from django.forms import BoundField
from django.utils.safestring import SafeString

register = template.Library()


@register.filter
def is_checkbox(field: BoundField) -> bool:
    return isinstance(field.field.widget, forms.CheckboxInput)


@register.filter
def is_radio(field: BoundField) -> bool:
    return isinstance(field.field.widget, forms.RadioSelect)


@register.filter
def describedby(field: BoundField) -> str:
    ids = []
    if field.help_text:
        ids.append(f"{field.auto_id}_hint")
    if field.errors:
        ids.append(f"{field.auto_id}_error")
    return " ".join(ids)


@register.filter
def anchor_id(field: BoundField) -> str:
    """The id an error summary links to: the field's input, or the first option of a group of
    radio buttons or checkboxes (whose ``id_for_label`` is empty, so the link would go nowhere)."""
    if field.id_for_label:
        return field.id_for_label
    return f"{field.auto_id}_0" if field.auto_id else ""


@register.simple_tag
def field_widget(field: BoundField) -> SafeString:
    """Render the widget with aria-describedby/aria-invalid tying it to its hint and errors."""
    attrs: dict[str, str | bool] = {}
    described = describedby(field)
    if described:
        attrs["aria-describedby"] = described
    if field.errors:
        attrs["aria-invalid"] = "true"
    return field.as_widget(attrs=attrs)
