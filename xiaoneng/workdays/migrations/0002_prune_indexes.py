"""Drop three indexes of workdays_clock that no query needs (docs/performance.md, supervision).

Every UPDATE that moves a clock's instants (a recompute, the supervision scan moving next_alert_at)
cannot be HOT — `due_date` and `next_alert_at` are indexed — so it writes a new entry in every index
of the table. Three of its ten indexes duplicated another's leading column or served no query:

- `tenant_id` alone: `workdays_clock_open_due` (tenant_id, status, due_date) starts with it (the
  admin's scope and the foreign-key check on deleting a region use that one);
- `owner_type_id` alone: `workdays_clock_owner` (owner_type_id, owner_id) starts with it;
- `kind`'s `varchar_pattern_ops` twin (PostgreSQL only): no query filters kind with LIKE, and the
  database's collation is C, where the plain index serves a prefix match anyway.

The plain `kind` index stays, renamed `workdays_clock_kind` (it is now declared in Meta.indexes, so
that the field's `db_index` no longer creates the pattern-ops twin). Only indexes move: on
PostgreSQL the foreign keys are not dropped and revalidated (what AlterField would do), and the kind
index is renamed, not rebuilt.
"""

import django.db.models.deletion
from django.db import migrations, models

_DROP = ("workdays_clock_tenant_id_cd4fae92", "workdays_clock_owner_type_id_dd9240c9")


def forwards(apps, schema_editor):
    run = schema_editor.execute
    for name in _DROP:
        run(f'DROP INDEX IF EXISTS "{name}"')
    if schema_editor.connection.vendor == "postgresql":
        run('DROP INDEX IF EXISTS "workdays_clock_kind_68144e7f_like"')
        run('ALTER INDEX IF EXISTS "workdays_clock_kind_68144e7f" RENAME TO "workdays_clock_kind"')
        run('CREATE INDEX IF NOT EXISTS "workdays_clock_kind" ON "workdays_clock" ("kind")')
    else:
        run('DROP INDEX IF EXISTS "workdays_clock_kind_68144e7f"')
        run('CREATE INDEX "workdays_clock_kind" ON "workdays_clock" ("kind")')


def backwards(apps, schema_editor):
    run = schema_editor.execute
    run('CREATE INDEX "workdays_clock_tenant_id_cd4fae92" ON "workdays_clock" ("tenant_id")')
    run('CREATE INDEX "workdays_clock_owner_type_id_dd9240c9" ON "workdays_clock" ("owner_type_id")')
    if schema_editor.connection.vendor == "postgresql":
        run('ALTER INDEX "workdays_clock_kind" RENAME TO "workdays_clock_kind_68144e7f"')
        run('CREATE INDEX "workdays_clock_kind_68144e7f_like" ON "workdays_clock" ("kind" varchar_pattern_ops)')
    else:
        run('DROP INDEX "workdays_clock_kind"')
        run('CREATE INDEX "workdays_clock_kind_68144e7f" ON "workdays_clock" ("kind")')


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("orgs", "0001_initial"),
        ("workdays", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunPython(forwards, backwards)],
            state_operations=[
                migrations.AlterField(
                    model_name="clock",
                    name="kind",
                    field=models.CharField(max_length=40, verbose_name="时限类别"),
                ),
                migrations.AlterField(
                    model_name="clock",
                    name="owner_type",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        to="contenttypes.contenttype",
                        verbose_name="对象类型",
                    ),
                ),
                migrations.AlterField(
                    model_name="clock",
                    name="tenant",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="orgs.region",
                        verbose_name="所属辖区",
                    ),
                ),
                migrations.AddIndex(
                    model_name="clock",
                    index=models.Index(fields=["kind"], name="workdays_clock_kind"),
                ),
            ],
        )
    ]
