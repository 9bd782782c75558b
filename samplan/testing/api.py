"""A record system in tests: one unit's API token and JSON calls under one base path."""

from __future__ import annotations

import json
from typing import Any

from django.test import Client

from samplan.accounts.tokens import api_token_create
from samplan.directory.models import Membership


class ApiClient:
    """Calls ``base + path`` with the membership's bearer token; asserts the expected status
    (showing the body when it differs) and returns the decoded JSON, or None without one."""

    base = "/api/v1"

    def __init__(self, membership: Membership) -> None:
        _record, self.token = api_token_create(membership=membership, name="Journalsystem")
        self.client = Client()

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def get(self, path: str, status: int = 200) -> Any:
        response = self.client.get(self.base + path, headers=self._headers())
        assert response.status_code == status, response.content.decode()
        return response.json()

    def send(
        self, method: str, path: str, data: dict[str, Any] | None = None, status: int = 200
    ) -> Any:
        response = getattr(self.client, method)(
            self.base + path,
            json.dumps(data or {}, default=str),
            content_type="application/json",
            headers=self._headers(),
        )
        assert response.status_code == status, response.content.decode()
        if not response.content or not response["Content-Type"].startswith("application/json"):
            return None
        return response.json()

    def post(self, path: str, data: dict[str, Any] | None = None, status: int = 200) -> Any:
        return self.send("post", path, data, status)

    def put(self, path: str, data: dict[str, Any] | None = None, status: int = 200) -> Any:
        return self.send("put", path, data, status)
