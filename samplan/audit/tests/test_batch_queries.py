"""A batch of access-log entries (a list page's) is written in a constant number of queries,
whatever its length, on SQLite as on PostgreSQL."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from samplan.audit.models import AccessAction, AccessPurpose
from samplan.audit.services import Actor, LogItem, log_access_many
from samplan.audit.verification import verify_chain
from samplan.directory.models import Role
from samplan.testing.factories import make_person, make_staff

pytestmark = pytest.mark.django_db


def test_a_long_batch_costs_the_queries_of_a_short_one() -> None:
    """One INSERT whatever the length: on SQLite too, whose statements take far more than the
    999 parameters Django 5.2 assumes (``samplan.core.sqlite``); 120 entries of 16 columns
    would otherwise be two statements."""
    member = make_staff(role=Role.NURSE_COORDINATOR)
    actor = Actor(member.user_id, member.user.username, member.unit_id, member.unit.hsa_id, None)
    persons = [make_person() for _ in range(120)]

    def queries(count: int) -> int:
        with CaptureQueriesContext(connection) as captured:
            written = log_access_many(
                actor=actor,
                action=AccessAction.READ,
                purpose=AccessPurpose.CARE_COORDINATION,
                items=[LogItem(person=p, object_type="list:test") for p in persons[:count]],
            )
        assert len(written) == count
        return len(captured)

    first = queries(1)  # the very first entry also creates the chain's head
    assert first >= queries(2)
    assert queries(120) == queries(2)
    assert verify_chain().intact
