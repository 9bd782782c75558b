"""Append-only SIP records refused at the database level on SQLite as on PostgreSQL.

1. Who was called to a meeting and who attended it become explicit append-only rows
   (``MeetingInvitee``, ``MeetingAttendee``) on the tables Django made for the two
   many-to-many fields: a state-only change, the tables stay as they are.
2. Raw SQL ``UPDATE`` and ``DELETE`` are refused on every append-only SIP table. PostgreSQL:
   the row trigger of 0002 (``sip_refuse_change()``) now also guards the other tables. SQLite:
   a ``BEFORE UPDATE`` and a ``BEFORE DELETE`` trigger per table, passing only while
   ``samplan_append_only_lifted()`` says so (``manage.py flush``; see
   ``samplan.core.append_only``).

A later migration that rebuilds one of these tables on SQLite drops its triggers: it must create
them again.
"""

import django.db.models.deletion
from django.db import migrations, models

# Guarded on PostgreSQL since 0002.
GUARDED_BEFORE = ("sip_planversion", "sip_planapproval")
TABLES = (
    "sip_planversion",
    "sip_planapproval",
    "sip_consentevent",
    "sip_preparationentry",
    "sip_meetingminutes",
    "sip_meetingminutes_attendees",
    "sip_sipmeeting_invitees",
    "sip_plandraftrevision",
    "sip_actionprogress",
    "sip_evaluation",
    "sip_sipevent",
)

PG_TRIGGER = """
CREATE TRIGGER {table}_immutable
    BEFORE UPDATE OR DELETE ON {table}
    FOR EACH ROW EXECUTE FUNCTION sip_refuse_change();
"""

SQLITE_TRIGGER = """
CREATE TRIGGER {table}_no_{op}
    BEFORE {OP} ON {table}
    WHEN NOT samplan_append_only_lifted()
BEGIN
    SELECT RAISE(ABORT, '{table} is immutable: {OP} refused');
END;
"""


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for table in TABLES:
        if vendor == "postgresql" and table not in GUARDED_BEFORE:
            schema_editor.execute(PG_TRIGGER.format(table=table), params=None)
        elif vendor == "sqlite":
            for op in ("update", "delete"):
                sql = SQLITE_TRIGGER.format(table=table, op=op, OP=op.upper())
                schema_editor.execute(sql, params=None)


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for table in TABLES:
        if vendor == "postgresql" and table not in GUARDED_BEFORE:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_immutable ON {table};")
        elif vendor == "sqlite":
            for op in ("update", "delete"):
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_{op};")


class Migration(migrations.Migration):
    dependencies = [("sip", "0005_minutes_next_follow_up")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="MeetingAttendee",
                    fields=[
                        ("id", models.AutoField(primary_key=True, serialize=False)),
                        (
                            "minutes",
                            models.ForeignKey(
                                db_column="meetingminutes_id",
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="sip.meetingminutes",
                            ),
                        ),
                        (
                            "participant",
                            models.ForeignKey(
                                db_column="sipparticipant_id",
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="sip.sipparticipant",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "sip_meetingminutes_attendees",
                        "unique_together": {("minutes", "participant")},
                    },
                ),
                migrations.AlterField(
                    model_name="meetingminutes",
                    name="attendees",
                    field=models.ManyToManyField(
                        blank=True,
                        related_name="+",
                        through="sip.MeetingAttendee",
                        to="sip.sipparticipant",
                    ),
                ),
                migrations.CreateModel(
                    name="MeetingInvitee",
                    fields=[
                        ("id", models.AutoField(primary_key=True, serialize=False)),
                        (
                            "meeting",
                            models.ForeignKey(
                                db_column="sipmeeting_id",
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="sip.sipmeeting",
                            ),
                        ),
                        (
                            "participant",
                            models.ForeignKey(
                                db_column="sipparticipant_id",
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="sip.sipparticipant",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "sip_sipmeeting_invitees",
                        "unique_together": {("meeting", "participant")},
                    },
                ),
                migrations.AlterField(
                    model_name="sipmeeting",
                    name="invitees",
                    field=models.ManyToManyField(
                        blank=True,
                        related_name="invitations",
                        through="sip.MeetingInvitee",
                        to="sip.sipparticipant",
                    ),
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(forwards, backwards, elidable=False),
    ]
