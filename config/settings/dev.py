"""Local development and the demo: DEBUG on, plain HTTP on 127.0.0.1."""

import os

os.environ.setdefault("DJANGO_DEBUG", "1")

from .base import *  # noqa: F403
