"""Accountability records move to oversight (issue 11): every complaints.AccountabilityRecord row is
copied into oversight.AccountabilityRecord (source kind "complaint", its complaint as the source,
same department, person, sanction, reason, decider and time), then the complaints table is dropped.
Reversible: going back recreates the table and copies the complaint-sourced rows back."""

from django.db import migrations


def _complaint_type(apps):
    ContentType = apps.get_model("contenttypes", "ContentType")
    ct, _created = ContentType.objects.get_or_create(app_label="complaints", model="complaint")
    return ct


def forward(apps, schema_editor):
    Old = apps.get_model("complaints", "AccountabilityRecord")
    New = apps.get_model("oversight", "AccountabilityRecord")
    ct = _complaint_type(apps)
    rows = []
    for r in Old.objects.select_related("person").order_by("id").iterator():
        person = r.person
        rows.append(
            New(
                tenant_id=r.tenant_id,
                created_at=r.created_at,
                updated_at=r.updated_at,
                source_kind="complaint",
                source_type=ct if r.complaint_id else None,
                source_id=str(r.complaint_id) if r.complaint_id else "",
                department_id=r.department_id,
                person_id=r.person_id,
                person_name=((person.first_name or "") + (person.last_name or "") or person.username)[:50]
                if person is not None
                else "",
                person_is_leader=person is not None and person.role in ("dept_head", "leader"),
                sanction=r.sanction,
                reason=r.reason,
                decided_by_id=r.decided_by_id,
                decided_at=r.decided_at,
            )
        )
        if len(rows) >= 1000:
            New.objects.bulk_create(rows)
            rows = []
    New.objects.bulk_create(rows)


def backward(apps, schema_editor):
    Old = apps.get_model("complaints", "AccountabilityRecord")
    New = apps.get_model("oversight", "AccountabilityRecord")
    Old.objects.bulk_create(
        [
            Old(
                tenant_id=r.tenant_id,
                complaint_id=int(r.source_id) if r.source_id.isdigit() else None,
                department_id=r.department_id,
                person_id=r.person_id,
                sanction=r.original_sanction or r.sanction,
                reason=r.reason,
                decided_by_id=r.decided_by_id,
                decided_at=r.decided_at,
            )
            for r in New.objects.filter(source_kind="complaint").order_by("id")
        ]
    )
    New.objects.filter(source_kind="complaint").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("complaints", "0004_attachments_idempotency"),
        ("oversight", "0002_tasks_accountability"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RunPython(forward, backward),
        migrations.DeleteModel(name="AccountabilityRecord"),
    ]
