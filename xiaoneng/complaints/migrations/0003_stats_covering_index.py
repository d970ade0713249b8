"""A covering index for the complaint statistics on PostgreSQL (an index-only scan instead of reading
the wide rows); SQLite has no INCLUDE and does without it."""

from django.db import migrations

CREATE = """
CREATE INDEX IF NOT EXISTS complaints_stats_cover ON complaints_complaint (tenant_id, received_at)
INCLUDE (handling_department_id, region_id, status, accepted_at, refused_at, dispatched_at, replied_at,
         replied_on_time, satisfaction)
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS complaints_stats_cover")


class Migration(migrations.Migration):
    dependencies = [("complaints", "0002_monthly_figure")]
    operations = [migrations.RunPython(forwards, backwards)]
