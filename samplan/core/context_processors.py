from typing import Any

from django.conf import settings
from django.http import HttpRequest

from samplan.directory.permissions import Permission, has_permission


def samplan(request: HttpRequest) -> dict[str, Any]:
    membership = getattr(request, "membership", None)
    return {
        "acting_membership": membership,
        "demo_mode": settings.DEMO_MODE,
        "can": {p.value: has_permission(membership, p) for p in Permission},
    }
