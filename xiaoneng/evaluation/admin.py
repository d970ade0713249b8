from django.contrib import admin  # noqa: F401  (configuration only; records are written by services)
