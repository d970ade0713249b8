"""Partition the Event trail by month on PostgreSQL (issue 14; xiaoneng.core.partitions says what
changes and why), with the table of chain heads its trigger keeps. Nothing changes on SQLite (the heads
table stays empty there), nor in the Event model's state: Django still sees `id` as the primary key and
(subject_type, subject_id, seq) as unique, which PostgreSQL keeps with a unique index per month and the
chain trigger (both named after core_event_unique_seq)."""

import django.db.models.deletion
from django.db import migrations, models

from xiaoneng.core.partitions import event_table_partition, event_table_unpartition


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        event_table_partition(schema_editor)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        event_table_unpartition(schema_editor)


class Migration(migrations.Migration):

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('core', '0005_trail_anchor'),
    ]

    operations = [
        migrations.CreateModel(
            name='EventHead',
            fields=[
                ('pk', models.CompositePrimaryKey('subject_type', 'subject_id', blank=True, editable=False, primary_key=True, serialize=False)),
                ('subject_id', models.CharField(max_length=64, verbose_name='对象编号')),
                ('seq', models.PositiveIntegerField(verbose_name='序号')),
                ('hash', models.CharField(max_length=64, verbose_name='哈希')),
                ('subject_type', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='contenttypes.contenttype', verbose_name='对象类型')),
            ],
            options={
                'verbose_name': '留痕链头',
                'verbose_name_plural': '留痕链头',
            },
        ),
        migrations.RunPython(forwards, backwards, elidable=False),
    ]
