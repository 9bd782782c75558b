"""On SQLite too, refuse UPDATE and DELETE on the access log at the database level, as 0002 does
on PostgreSQL (see ``samplan.core.append_only``). A later migration that rebuilds the table on
SQLite drops the triggers and must create them again."""

from django.db import migrations

from samplan.core.append_only import append_only_tables


class Migration(migrations.Migration):
    dependencies = [("audit", "0003_representative_purpose")]
    operations = [append_only_tables("audit_accesslogentry", postgresql=False)]
