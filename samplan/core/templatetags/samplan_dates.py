from datetime import datetime

from django import template
from django.utils import timezone

register = template.Library()


@register.filter
def iso_local(value: str | None) -> str:
    """An ISO timestamp from a JSON payload, shown as local YYYY-MM-DD HH:MM."""
    if not value:
        return "–"
    return timezone.localtime(datetime.fromisoformat(value)).strftime("%Y-%m-%d %H:%M")
