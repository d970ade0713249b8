"""发展环境监测点 reports move from evaluation to enterprise (issue 13): every
evaluation.MonitoringPointReport row is copied, with its id, into enterprise.MonitoringPointReport
(point name, department, date, text, severity, who recorded it, times); the copies have no
designated point and are already closed (the office recorded them, nobody is waiting for a reply).
evaluation's next migration drops the old table. Reversible: going back copies the rows back (the
fields evaluation had; a report's workflow is lost) and empties the enterprise table, so that going
forward again does not copy a row twice. Both ways the receiving table's id sequence is moved past the
copied ids (tested in enterprise/tests/test_migrations.py)."""

from django.db import migrations


def forward(apps, schema_editor):
    Old = apps.get_model("evaluation", "MonitoringPointReport")
    New = apps.get_model("enterprise", "MonitoringPointReport")
    rows = []
    for r in Old.objects.order_by("id").iterator():
        rows.append(
            New(
                id=r.id,
                tenant_id=r.tenant_id,
                created_at=r.created_at,
                updated_at=r.updated_at,
                point=r.point,
                department_id=r.department_id,
                reported_on=r.reported_on,
                text=r.text,
                severity=r.severity,
                reported_by_id=r.reported_by_id,
                status="closed",
                closed_at=r.created_at,
            )
        )
        if len(rows) >= 1000:
            New.objects.bulk_create(rows)
            rows = []
    New.objects.bulk_create(rows)
    _sequence_past_ids(schema_editor, New)


def _sequence_past_ids(schema_editor, model):
    """Ids were copied: move PostgreSQL's sequence past them (SQLite's AUTOINCREMENT follows by itself)."""
    if schema_editor.connection.vendor == "postgresql" and model.objects.exists():
        table = model._meta.db_table
        with schema_editor.connection.cursor() as cur:
            cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), COALESCE(MAX(id), 1)) FROM {table}")


def backward(apps, schema_editor):
    Old = apps.get_model("evaluation", "MonitoringPointReport")
    New = apps.get_model("enterprise", "MonitoringPointReport")
    Old.objects.bulk_create(
        [
            Old(
                id=r.id,
                tenant_id=r.tenant_id,
                created_at=r.created_at,
                updated_at=r.updated_at,
                point=r.point,
                department_id=r.department_id,
                reported_on=r.reported_on,
                text=r.text,
                severity=r.severity,
                reported_by_id=r.reported_by_id,
            )
            for r in New.objects.order_by("id")
        ]
    )
    _sequence_past_ids(schema_editor, Old)
    New.objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("enterprise", "0001_initial"),
        ("evaluation", "0001_initial"),
    ]

    operations = [migrations.RunPython(forward, backward)]
