"""On PostgreSQL, refuse UPDATE and DELETE of an established plan version (and its approvals)
at the database level too. TRUNCATE is left to the table owner (test databases are flushed
with it)."""

from django.db import migrations

TABLES = ("sip_planversion", "sip_planapproval")

FUNCTION = """
CREATE OR REPLACE FUNCTION sip_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '% is immutable: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""

TRIGGER = """
CREATE TRIGGER {table}_immutable
    BEFORE UPDATE OR DELETE ON {table}
    FOR EACH ROW EXECUTE FUNCTION sip_refuse_change();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FUNCTION, params=None)
        for table in TABLES:
            schema_editor.execute(TRIGGER.format(table=table), params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for table in TABLES:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_immutable ON {table};")
        schema_editor.execute("DROP FUNCTION IF EXISTS sip_refuse_change();")


class Migration(migrations.Migration):
    dependencies = [("sip", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
