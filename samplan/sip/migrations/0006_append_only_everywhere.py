"""Append-only SIP records refused at the database level on SQLite as on PostgreSQL.

1. Who was called to a meeting and who attended it become explicit append-only rows
   (``MeetingInvitee``, ``MeetingAttendee``) on the tables Django made for the two
   many-to-many fields: a state-only change, the tables stay as they are.
2. Raw SQL ``UPDATE`` and ``DELETE`` are refused on every append-only SIP table. PostgreSQL:
   a row trigger on each table not guarded since 0002. SQLite:
   a ``BEFORE UPDATE`` and a ``BEFORE DELETE`` trigger per table, passing only while
   ``samplan_append_only_lifted()`` says so (``manage.py flush``; see
   ``samplan.core.append_only``).

A later migration that rebuilds one of these tables on SQLite drops its triggers: it must create
them again.
"""

import django.db.models.deletion
from django.db import migrations, models

from samplan.core.append_only import append_only_tables

# Guarded on PostgreSQL since 0002 (by its own ``sip_refuse_change()``).
GUARDED_BEFORE = ("sip_planversion", "sip_planapproval")
TABLES = (
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
        append_only_tables(*GUARDED_BEFORE, postgresql=False),
        append_only_tables(*TABLES),
    ]
