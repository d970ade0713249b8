"""Production differs from base only through environment values; this module exists so that
`DJANGO_SETTINGS_MODULE=config.settings.production` reads clearly in service files."""

from config.settings.base import *  # noqa: F403
