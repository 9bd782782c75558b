"""Refuse UPDATE and DELETE of the SVPL's written-once records in the database too (PostgreSQL
and SQLite): established versions, approvals, saved draft revisions and the timeline."""

from django.db import migrations

from samplan.core.append_only import append_only_tables

TABLES = (
    "psychiatry_svplversion",
    "psychiatry_svplapproval",
    "psychiatry_svpldraftrevision",
    "psychiatry_svplevent",
)


class Migration(migrations.Migration):
    dependencies = [("psychiatry", "0001_initial")]
    operations = [append_only_tables(*TABLES)]
