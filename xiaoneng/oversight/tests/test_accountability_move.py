"""Issue 11: accountability records move from complaints to oversight with their rows."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from xiaoneng.complaints.models import Complaint as LiveComplaint
from xiaoneng.oversight.models import AccountabilityRecord
from xiaoneng.oversight.selectors import records_for_source

OLD = [("complaints", "0004_attachments_idempotency"), ("oversight", "0002_tasks_accountability")]
NEW = [("complaints", "0005_accountability_moves_to_oversight")]


@pytest.mark.django_db(transaction=True)
def test_complaint_accountability_rows_are_copied_to_oversight(world):
    # given the schema before the move, with one record on a complaint
    executor = MigrationExecutor(connection)
    executor.migrate(OLD)
    old_apps = executor.loader.project_state(OLD).apps
    Complaint = old_apps.get_model("complaints", "Complaint")
    OldRecord = old_apps.get_model("complaints", "AccountabilityRecord")
    complaint_fields = {f.attname for f in Complaint._meta.concrete_fields} | {
        f.name for f in Complaint._meta.concrete_fields
    }
    values = {
        "tenant_id": world.city.pk,
        "region_id": world.city.pk,
        "number": "TS-1",
        "kind": "efficiency",
        "channel": "web",
        "content": "窗口推诿",
    }
    values = {k: v for k, v in values.items() if k in complaint_fields}
    for f in Complaint._meta.concrete_fields:  # whatever else the historical model requires
        if f.primary_key or f.null or f.has_default() or f.attname in values or f.name in values or f.is_relation:
            continue
        kind = f.get_internal_type()
        values[f.name] = (
            timezone.now()
            if kind == "DateTimeField"
            else timezone.localdate()
            if kind == "DateField"
            else False
            if kind == "BooleanField"
            else 0
            if "Integer" in kind
            else "x"
        )
    complaint = Complaint.objects.create(**values)
    OldRecord.objects.create(
        tenant_id=world.city.pk,
        complaint_id=complaint.pk,
        department_id=world.dept.pk,
        person_id=world.user("clerk").pk,
        sanction="written_warning",
        reason="重复索要材料",
        decided_by_id=world.user("supervisor").pk,
        decided_at=timezone.now(),
    )
    # when the move runs
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(NEW)
    # then oversight holds the record, pointing at its complaint

    rec = AccountabilityRecord.objects.get()
    assert (rec.source_kind, rec.sanction, rec.department_id, rec.person_id) == (
        "complaint",
        "written_warning",
        world.dept.pk,
        world.user("clerk").pk,
    )
    assert list(records_for_source(LiveComplaint.objects.get(pk=complaint.pk))) == [rec]
    assert "complaints_accountabilityrecord" not in connection.introspection.table_names()
