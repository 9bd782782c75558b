from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from samplan.audit.models import (
    AccessAction,
    AccessLogEntry,
    AccessLogIsAppendOnly,
    AccessPurpose,
)
from samplan.audit.services import Actor, log_access
from samplan.audit.verification import verify_chain
from samplan.core import append_only
from samplan.testing.factories import make_person, make_staff

pytestmark = pytest.mark.django_db


def actor_for(membership) -> Actor:
    return Actor(
        user_id=membership.user_id,
        username=membership.user.username,
        unit_id=membership.unit_id,
        unit_hsa_id=membership.unit.hsa_id,
        remote_addr="127.0.0.1",
    )


def write_entries(count: int) -> list[AccessLogEntry]:
    actor = actor_for(make_staff())
    person = make_person()
    return [
        log_access(
            actor=actor,
            person=person,
            action=AccessAction.READ,
            purpose=AccessPurpose.CARE,
            obj=person,
        )
        for _ in range(count)
    ]


def test_entries_form_a_chain() -> None:
    first, second, third = write_entries(3)
    assert first.previous_hash == "0" * 64
    assert second.previous_hash == first.entry_hash
    assert third.previous_hash == second.entry_hash
    assert verify_chain().intact
    assert verify_chain().checked == 3


def test_entry_records_who_where_whom_what_and_why() -> None:
    membership = make_staff()
    person = make_person(protected=True)
    entry = log_access(
        actor=actor_for(membership),
        person=person,
        action=AccessAction.UPDATE,
        purpose=AccessPurpose.CARE,
        obj=person,
        detail="ändrade fält: phone",
    )
    entry.refresh_from_db()
    assert (entry.user_id, entry.unit_id, entry.person_id) == (
        membership.user_id,
        membership.unit_id,
        person.pk,
    )
    assert entry.unit_hsa_id == membership.unit.hsa_id
    assert entry.object_type == "people.Person"
    assert entry.object_id == str(person.pk)
    assert entry.protected_identity is True
    assert entry.at is not None


def test_application_cannot_change_or_delete_entries() -> None:
    (entry,) = write_entries(1)
    entry.detail = "ändrad"
    with pytest.raises(AccessLogIsAppendOnly):
        entry.save()
    with pytest.raises(AccessLogIsAppendOnly):
        entry.delete()
    with pytest.raises(AccessLogIsAppendOnly):
        AccessLogEntry.objects.filter(pk=entry.pk).update(detail="x")
    with pytest.raises(AccessLogIsAppendOnly):
        AccessLogEntry.objects.all().delete()
    assert AccessLogEntry.objects.get(pk=entry.pk).detail == ""


def test_the_database_refuses_update_and_delete() -> None:
    """Raw SQL, past the model: a trigger refuses on PostgreSQL and on SQLite alike."""
    (entry,) = write_entries(1)
    table = AccessLogEntry._meta.db_table
    for sql in (
        f"UPDATE {table} SET detail = 'x' WHERE id = %s",
        f"DELETE FROM {table} WHERE id = %s",
    ):
        with (
            pytest.raises(DatabaseError, match="refused"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql, [entry.pk])
    assert AccessLogEntry.objects.filter(pk=entry.pk, detail="").exists()


def tamper(sql: str, params: list) -> None:
    """Change the table behind the application's back, as a DBA with full rights could: with the
    trigger disabled (PostgreSQL) or its guard lifted (SQLite)."""
    table = AccessLogEntry._meta.db_table
    with connection.cursor() as cursor, append_only.guard_lifted():
        if connection.vendor == "postgresql":
            # ALTER TABLE refuses to run while deferred foreign-key checks are pending.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER audit_access_log_append_only")
        cursor.execute(sql.format(table=table), params)
        if connection.vendor == "postgresql":
            cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER audit_access_log_append_only")


def test_changed_entry_is_named_by_the_verify_command() -> None:
    entries = write_entries(4)
    tamper("UPDATE {table} SET username = 'någon-annan' WHERE id = %s", [entries[2].pk])
    report = verify_chain()
    assert report.first_broken_id == entries[2].pk
    assert report.reason == "content"
    with pytest.raises(CommandError, match=rf"Första felaktiga post: #{entries[2].pk} "):
        call_command("verify_access_log")


def test_deleted_entry_is_found_at_the_next_one() -> None:
    entries = write_entries(4)
    tamper("DELETE FROM {table} WHERE id = %s", [entries[1].pk])
    report = verify_chain()
    assert report.first_broken_id == entries[2].pk
    assert report.reason == "previous_hash"


def test_deleted_last_entry_is_found_by_the_chain_head() -> None:
    entries = write_entries(3)
    tamper("DELETE FROM {table} WHERE id = %s", [entries[-1].pk])
    report = verify_chain()
    assert not report.intact
    assert report.reason == "tail"
    with pytest.raises(CommandError, match="bruten i slutet"):
        call_command("verify_access_log")


def test_recomputing_hashes_without_the_key_does_not_hide_tampering(settings) -> None:
    entries = write_entries(2)
    settings.ACCESS_LOG_HMAC_KEY = "en-angripares-gissning"
    assert verify_chain().first_broken_id == entries[0].pk


def test_intact_log_reports_success() -> None:
    write_entries(2)
    out = StringIO()
    call_command("verify_access_log", stdout=out)
    assert "obruten: 2 poster" in out.getvalue()
