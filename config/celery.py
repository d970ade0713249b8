"""The Celery application, for deployments that run background tasks on Celery instead of the database
task backend (docs/operations.md, "Task backend: Celery"). Django's own task API stays the only one the
code uses: `XIAONENG_TASK_BACKEND=django_tasks_celery.CeleryBackend` makes `task.enqueue()` send to the
broker (Redis or RabbitMQ, `XIAONENG_CELERY_BROKER_URL`), and

    celery -A config worker --loglevel=INFO

runs them. Every app's tasks module is imported at start-up, which registers its tasks with Celery.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")

app = Celery("xiaoneng")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
