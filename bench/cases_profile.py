"""Profile one opinion request in-process (PostgreSQL; not part of the test suite).

    .venv/bin/python bench/cases_profile.py postgres://postgres@127.0.0.1:5432/xn_bench_cases [--n 200] [--top 30]

Prepares the same world as bench/cases.py (its `setup`), then, through Django's test client in this
process (the product's middleware and URLs; the bench settings' bare view), signs `--n` opinions of
the staggered pool and makes as many bare INSERT requests, and prints per request: SQL statements
(connection.queries), CPU (process_time, this process only: the PostgreSQL backend is not counted),
Python function calls, and the `--top` functions by cumulative time of a cProfile run over the
opinions. Use it to see where an opinion's cost goes; bench/cases.py measures throughput and latency.
"""

from __future__ import annotations

import cProfile
import io
import json
import os
import pstats
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _arg(name: str, default: int) -> int:
    return int(sys.argv[sys.argv.index(name) + 1]) if name in sys.argv else default


def main() -> None:
    if len(sys.argv) < 2 or not sys.argv[1].startswith("postgres"):
        sys.exit(__doc__)
    n, top = _arg("--n", 200), _arg("--top", 30)
    os.environ.update({"DATABASE_URL": sys.argv[1], "DJANGO_SETTINGS_MODULE": "bench.cases_settings"})
    sys.path.insert(0, str(ROOT))
    from bench.cases import setup  # after the settings are chosen

    pairs = setup(n * 2 + 50)
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from xiaoneng.orgs.models import User

    clients: dict[str, Client] = {}
    for username in sorted({u for _c, _t, u in pairs}):
        c = Client(HTTP_HOST="127.0.0.1")
        c.force_login(User.objects.get(username=username))
        clients[username] = c
    body = json.dumps({"kind": "agree"})

    def opinion(i: int) -> None:
        case_id, task_id, username = pairs[i]
        r = clients[username].post(
            f"/api/cases/{case_id}/tasks/{task_id}/opinion", body, content_type="application/json"
        )
        assert r.status_code == 200, (r.status_code, r.content[:300])

    bare_client = next(iter(clients.values()))

    def bare(_i: int) -> None:
        r = bare_client.post("/bench/insert/", "{}", content_type="application/json")
        assert r.status_code == 200, r.status_code

    # warm: imports, the calendar, per-process caches
    for i in range(20):
        opinion(i)
        bare(i)
    offset = 20
    for label, fn, base in (("bare", bare, 0), ("opinion", opinion, offset)):
        counts: Counter[int] = Counter()
        kinds: Counter[str] = Counter()
        cpu0 = time.process_time()
        for i in range(n):
            with CaptureQueriesContext(connection) as captured:
                fn(base + i)
            counts[len(captured.captured_queries)] += 1
            for q in captured.captured_queries:
                sql = q["sql"].lstrip()
                kinds[sql.split(" ", 1)[0].upper()] += 1
        cpu = (time.process_time() - cpu0) * 1000 / n
        avg = sum(k * v for k, v in counts.items()) / n
        print(f"{label:8} {cpu:6.2f} ms CPU/request  {avg:5.2f} statements/request  {dict(sorted(counts.items()))}")
        print(f"         by kind: {dict(kinds.most_common())}")
    reset_queries()
    offset += n
    for label, fn, base in (("bare", bare, 0), ("opinion", opinion, offset)):
        prof = cProfile.Profile()
        prof.enable()
        for i in range(n // 2):
            fn(base + i)
        prof.disable()
        stats = pstats.Stats(prof)
        calls = stats.total_calls  # type: ignore[attr-defined]
        print(f"{label:8} {calls / (n // 2):8.0f} Python function calls/request")
        if label == "opinion":
            out = io.StringIO()
            pstats.Stats(prof, stream=out).sort_stats("cumulative").print_stats("xiaoneng", top)
            pstats.Stats(prof, stream=out).sort_stats("tottime").print_stats(top)
            if os.environ.get("XN_PROFILE_ALL"):
                pstats.Stats(prof, stream=out).sort_stats("cumulative").print_stats(int(os.environ["XN_PROFILE_ALL"]))
            print(out.getvalue())


if __name__ == "__main__":
    main()
