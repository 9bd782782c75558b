"""On SQLite too, refuse UPDATE and DELETE on the access log at the database level, as 0002 does
on PostgreSQL. The triggers pass only while ``samplan_append_only_lifted()`` says so, which
``manage.py flush`` arranges (SQLite is emptied with ``DELETE FROM``; see
``samplan.core.append_only``). A later migration that rebuilds the table on SQLite drops the
triggers and must create them again."""

from django.db import migrations

TRIGGER = """
CREATE TRIGGER audit_access_log_no_{op}
    BEFORE {OP} ON audit_accesslogentry
    WHEN NOT samplan_append_only_lifted()
BEGIN
    SELECT RAISE(ABORT, 'audit_accesslogentry is append-only: {OP} refused');
END;
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for op in ("update", "delete"):
            schema_editor.execute(TRIGGER.format(op=op, OP=op.upper()), params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for op in ("update", "delete"):
            schema_editor.execute(f"DROP TRIGGER IF EXISTS audit_access_log_no_{op};")


class Migration(migrations.Migration):
    dependencies = [("audit", "0003_representative_purpose")]
    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
