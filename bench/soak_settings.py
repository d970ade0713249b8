"""Bench-only settings for bench/soak.py: bench/cases_settings.py (the product settings, the X-Bench-Seq
echo, mail and SMS kept in memory) with the public tracking limit raised. Never used by the product.

Why the limit is raised: in production the limit counts per client address (20 look-ups per 10
minutes), and the public's look-ups come from many addresses; the soak sends all of them from
127.0.0.1, so the production limit would answer 429 after the 20th. The throttle stays on (every
look-up still counts in the shared cache, so its cost is measured), only its ceiling is out of
reach."""

from bench.cases_settings import *  # noqa: F403

XIAONENG_THROTTLE_RATES = {**XIAONENG_THROTTLE_RATES, "track": "10000000/10m"}  # noqa: F405
