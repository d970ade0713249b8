"""The database cache table (settings.CACHES, default backend when XIAONENG_CACHE_URL is unset), so a
deployment that only runs `migrate` has the table the rate limits count in (issue 9). createcachetable
is idempotent and does nothing when the cache is Redis, files or memory."""

from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("core", "0003_prune_indexes")]

    operations = [migrations.RunPython(create_cache_table, migrations.RunPython.noop, elidable=True)]
