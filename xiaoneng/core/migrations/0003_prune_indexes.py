"""Drop three indexes of core_event that no query needs (docs/performance.md, supervision).

Every appended event writes an entry in every index of the trail — the supervision scan appends one
per alert it raises. Three of its nine indexes duplicated another's leading column or served no query:

- `tenant_id` alone: `core_event_tenant_at` (tenant_id, at) starts with it;
- `subject_type_id` alone: `core_event_unique_seq` (subject_type_id, subject_id, seq) starts with it
  (every trail read filters on subject type and id);
- `action`'s `varchar_pattern_ops` twin (PostgreSQL only): no query filters action with LIKE.

The plain `action` index stays, renamed `core_event_action` (now declared in Meta.indexes, so the
field's `db_index` no longer creates the twin). Only indexes move: on PostgreSQL the foreign keys
are not dropped and revalidated over the whole trail (what AlterField would do), and the action
index is renamed, not rebuilt.
"""

import django.db.models.deletion
from django.db import migrations, models

_DROP = ("core_event_tenant_id_cefa06f8", "core_event_subject_type_id_ec68ee87")


def forwards(apps, schema_editor):
    run = schema_editor.execute
    for name in _DROP:
        run(f'DROP INDEX IF EXISTS "{name}"')
    if schema_editor.connection.vendor == "postgresql":
        run('DROP INDEX IF EXISTS "core_event_action_a885bbf8_like"')
        run('ALTER INDEX IF EXISTS "core_event_action_a885bbf8" RENAME TO "core_event_action"')
        run('CREATE INDEX IF NOT EXISTS "core_event_action" ON "core_event" ("action")')
    else:
        run('DROP INDEX IF EXISTS "core_event_action_a885bbf8"')
        run('CREATE INDEX "core_event_action" ON "core_event" ("action")')


def backwards(apps, schema_editor):
    run = schema_editor.execute
    run('CREATE INDEX "core_event_tenant_id_cefa06f8" ON "core_event" ("tenant_id")')
    run('CREATE INDEX "core_event_subject_type_id_ec68ee87" ON "core_event" ("subject_type_id")')
    if schema_editor.connection.vendor == "postgresql":
        run('ALTER INDEX "core_event_action" RENAME TO "core_event_action_a885bbf8"')
        run('CREATE INDEX "core_event_action_a885bbf8_like" ON "core_event" ("action" varchar_pattern_ops)')
    else:
        run('DROP INDEX "core_event_action"')
        run('CREATE INDEX "core_event_action_a885bbf8" ON "core_event" ("action")')


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("core", "0002_initial"),
        ("orgs", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunPython(forwards, backwards)],
            state_operations=[
                migrations.AlterField(
                    model_name="event",
                    name="action",
                    field=models.CharField(max_length=64, verbose_name="动作"),
                ),
                migrations.AlterField(
                    model_name="event",
                    name="subject_type",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        to="contenttypes.contenttype",
                        verbose_name="对象类型",
                    ),
                ),
                migrations.AlterField(
                    model_name="event",
                    name="tenant",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="orgs.region",
                        verbose_name="所属辖区",
                    ),
                ),
                migrations.AddIndex(
                    model_name="event",
                    index=models.Index(fields=["action"], name="core_event_action"),
                ),
            ],
        )
    ]
