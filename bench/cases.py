"""Case-transition benchmark (PostgreSQL + gunicorn; not part of the test suite).

    .venv/bin/python bench/cases.py postgres://postgres@127.0.0.1:5432/xn_casebench [--cases 600]
        [--threads 4] [--seconds 15] [--write]

Prepares N accepted cases of an item whose first stage is a four-department parallel review (4N
open step tasks), starts gunicorn (2 workers) on 127.0.0.1 with bench/cases_settings.py, logs in
once (session + CSRF, like the browser), then drives with a threaded http.client load generator:

  (a) the floor: POST /bench/insert/ — a bare Django view doing one INSERT (same stack, same auth);
  (b) POST /api/cases/{case}/tasks/{task}/opinion {"kind": "agree"} — a real transition: case row
      lock, task, opinion, clock stop, events, join check; every fourth completes the joint stage
      (next stage opened with its clock, notifications).

Two phases, side by side in one run: saturation (closed loop, `--threads` connections, bounded by
the request count and `--seconds`) for (a) then (b); then (b) alone, open loop at one third of
(a)'s measured throughput for `--seconds`, for its p95 "at that load". With --write appends the
rows to docs/performance.md. Targets: (b) ≥ 1/3 of (a)'s throughput, and p95 < 100 ms at that rate.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HOST, PORT = "127.0.0.1", 8765
PASSWORD = "bench-Pass-2026"


def _arg(name: str, default: int) -> int:
    return int(sys.argv[sys.argv.index(name) + 1]) if name in sys.argv else default


def setup(n_cases: int) -> list[tuple[int, int, str]]:
    """Migrate, create the jurisdiction, its staff, the item and N accepted cases; return (case, task,
    username of the reviewer of the task's department) for every open parallel task."""
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from xiaoneng.cases.choices import TaskStatus
    from xiaoneng.cases.models import StepTask
    from xiaoneng.cases.services import case_accept, case_submit
    from xiaoneng.catalog.models import Item
    from xiaoneng.catalog.services import item_create, version_declare, version_publish, version_review
    from xiaoneng.orgs.choices import RegionLevel, Role
    from xiaoneng.orgs.models import Department, Region, User
    from xiaoneng.orgs.validators import credit_code_check_char

    city, _ = Region.objects.get_or_create(code="339100", defaults={"name": "青溪市", "level": RegionLevel.CITY})
    depts = []
    for i, name in enumerate(["市场监管局", "住建局", "自然资源局", "消防支队", "人防办"], start=1):
        first17 = f"11339100{i:09d}"
        d, _ = Department.objects.get_or_create(
            region=city, name=name, defaults={"tenant": city, "credit_code": first17 + credit_code_check_char(first17)}
        )
        depts.append(d)
    admin = User.objects.filter(username="bench").first()
    if admin is None:
        admin = User(username="bench", role=Role.ADMIN, region=city, is_superuser=True, is_staff=True)
        admin.set_password(PASSWORD)
        admin.save()
    applicant = User.objects.filter(username="bench_applicant").first()
    if applicant is None:
        applicant = User(username="bench_applicant", role=Role.APPLICANT, phone="13900009999")
        applicant.set_password(PASSWORD)
        applicant.save()
    # the staff who act: one reviewer per co-handling department (each signs its own department's
    # opinion, through its own scope), and the lead department's head (notified when the decision
    # stage opens)
    reviewers: dict[int, str] = {}
    for i, (d, role) in enumerate([(depts[0], Role.DEPT_HEAD)] + [(d, Role.REVIEWER) for d in depts[1:]]):
        username = "bench_head" if i == 0 else f"bench_rev{i}"
        if not User.objects.filter(username=username).exists():
            u = User(username=username, role=role, department=d)
            u.set_password(PASSWORD)
            u.save()
        reviewers[d.pk] = username
    code = f"{depts[0].credit_code}000000000001001"
    item = Item.objects.filter(implementing_code=code).first()
    if item is None:
        content = {
            "name": "建筑工程施工许可（基准测试）",
            "item_type": "01",
            "region": "339100",
            "gov_level": "city",
            "statutory_limit": 45,
            "statutory_unit": "wd",
            "committed_limit": 20,
            "committed_unit": "wd",
            "case_kind": "committed",
            "online_depth": "4",
            "legal_bases": [{"law": "《建筑法》", "article": "第八条"}],
            "materials": [{"name": "申请表", "kind": "form"}],
            "fees": [],
            "special_procedures": [],
            "stages": [
                {
                    "name": "联合审查",
                    "join_policy": "all",
                    "steps": [
                        {
                            "name": f"{d.name}会签",
                            "department": d.pk,
                            "role": "reviewer",
                            "limit_days": 5,
                            "on_timeout": "deemed_consent",
                        }
                        for d in depts[1:]
                    ],
                },
                {
                    "name": "决定",
                    "join_policy": "all",
                    "steps": [{"name": "决定", "role": "dept_head", "limit_days": 3}],
                },
            ],
        }
        item = item_create(
            actor=admin, department=depts[0], base_code="000000000001", implementing_code=code, content=content
        )
        version = item.head
        version_declare(actor=admin, version=version)
        version_review(actor=admin, version=version, approve=True, comment="同意")
        version_publish(actor=admin, version=version)
        item.refresh_from_db()
    have = StepTask.objects.filter(status=TaskStatus.ACTIVE, case__item=item, parallel=True).count()
    form = {"applicant_name": "基准", "phone": "13900009999", "description": "基准测试"}
    t0 = time.perf_counter()
    for _i in range(max(0, n_cases - have // 4 + 1)):
        case, _code = case_submit(actor=applicant, item=item, form_data=form)
        case_accept(case=case, actor=admin)
    print(f"prepared cases in {time.perf_counter() - t0:.1f} s", flush=True)
    pairs = list(
        StepTask.objects.filter(status=TaskStatus.ACTIVE, case__item=item, parallel=True)
        .order_by("case_id", "pk")
        .values_list("case_id", "pk", "department_id")
    )[: n_cases * 4]
    # A staggered pipeline: the r-th opinion on the i-th case goes to slot i + 4r. Each run of four
    # requests then holds one opinion of each rank, so every fourth request completes its stage and
    # opens the next (evenly, as in real work, not in bursts); and a case comes back only 16 requests
    # later, so requests in flight at the same moment act on different cases, as different
    # departments do (the same case is serialised by its row lock by design).
    rank: dict[int, int] = {}
    order = {c: i for i, c in enumerate(dict.fromkeys(c for c, _t, _d in pairs))}
    keyed = []
    for case_id, task_id, dept_id in pairs:
        rank[case_id] = rank.get(case_id, -1) + 1
        keyed.append((order[case_id] + 4 * rank[case_id], rank[case_id], case_id, task_id, reviewers[dept_id]))
    return [(c, t, u) for _k, _r, c, t, u in sorted(keyed)]


def wait_port() -> None:
    for _ in range(100):
        with socket.socket() as s:
            if s.connect_ex((HOST, PORT)) == 0:
                return
        time.sleep(0.2)
    raise SystemExit("gunicorn did not start")


def login(username: str) -> dict[str, str]:
    conn = http.client.HTTPConnection(HOST, PORT, timeout=10)
    conn.request("GET", "/accounts/login/")
    r = conn.getresponse()
    body = r.read().decode()
    cookies = dict(re.findall(r"(csrftoken)=([^;]+)", r.getheader("Set-Cookie") or ""))
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1)  # type: ignore[union-attr]
    data = f"csrfmiddlewaretoken={token}&username={username}&password={PASSWORD}"
    conn.request(
        "POST",
        "/accounts/login/",
        body=data,
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"csrftoken={cookies['csrftoken']}",
            "Referer": f"http://{HOST}:{PORT}/accounts/login/",
        },
    )
    r = conn.getresponse()
    r.read()
    for name, value in re.findall(r"(sessionid|csrftoken)=([^;]+)", r.getheader("Set-Cookie") or ""):
        cookies[name] = value
    if "sessionid" not in cookies:
        raise SystemExit(f"login failed: {r.status}")
    return cookies


def _headers(cookies: dict[str, str]) -> dict[str, str]:
    return {
        "Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items()),
        "X-CSRFToken": cookies["csrftoken"],
        "Content-Type": "application/json",
        "Referer": f"http://{HOST}:{PORT}/",
    }


def _p95(latencies: list[float]) -> float:
    latencies = sorted(latencies)
    return latencies[max(0, int(len(latencies) * 0.95) - 1)] * 1000 if latencies else float("nan")


Request = tuple[str, bytes, dict[str, str]]  # path, JSON body, headers (the session of who acts)


def load(requests: Iterator[Request], threads: int, seconds: float) -> tuple[int, float, float, int]:
    """Closed loop (saturation): `threads` connections send back to back until the requests are
    exhausted or `seconds` passed. Returns (ok count, elapsed seconds, p95 ms, error count)."""
    lock = threading.Lock()
    latencies: list[float] = []
    errors = [0]
    deadline = time.perf_counter() + seconds

    def worker() -> None:
        conn = http.client.HTTPConnection(HOST, PORT, timeout=30)
        while time.perf_counter() < deadline:
            with lock:
                nxt = next(requests, None)
            if nxt is None:
                return
            path, body, headers = nxt
            t = time.perf_counter()
            conn.request("POST", path, body=body, headers=headers)
            r = conn.getresponse()
            r.read()
            dt = time.perf_counter() - t
            with lock:
                if r.status == 200:
                    latencies.append(dt)
                else:
                    errors[0] += 1
        conn.close()

    start = time.perf_counter()
    ts = [threading.Thread(target=worker) for _ in range(threads)]
    [t.start() for t in ts]
    [t.join() for t in ts]
    elapsed = time.perf_counter() - start
    return len(latencies), elapsed, _p95(latencies), errors[0]


def paced(requests: list[Request], rate: float, connections: int = 8) -> tuple[int, float, float, int]:
    """Open loop at a fixed rate ("p95 at that load"): request i is due at start + i/rate, whatever
    happened to the earlier ones; its latency is counted from that due time, so time spent queued
    behind a slow request counts too (no coordinated omission). Returns (ok, elapsed, p95 ms, errors)."""
    lock = threading.Lock()
    latencies: list[float] = []
    errors = [0]
    index = [0]
    start = time.perf_counter() + 0.2

    def worker() -> None:
        conn = http.client.HTTPConnection(HOST, PORT, timeout=30)
        while True:
            with lock:
                i = index[0]
                index[0] += 1
            if i >= len(requests):
                break
            due = start + i / rate
            wait = due - time.perf_counter()
            if wait > 0:
                time.sleep(wait)
            path, body, headers = requests[i]
            conn.request("POST", path, body=body, headers=headers)
            r = conn.getresponse()
            r.read()
            dt = time.perf_counter() - due
            with lock:
                if r.status == 200:
                    latencies.append(dt)
                else:
                    errors[0] += 1
        conn.close()

    ts = [threading.Thread(target=worker) for _ in range(connections)]
    [t.start() for t in ts]
    [t.join() for t in ts]
    if latencies:
        ordered = sorted(latencies)
        cut = [ordered[min(len(ordered) - 1, int(len(ordered) * q))] * 1000 for q in (0.5, 0.9, 0.99)]
        print(f"  paced latencies: p50 {cut[0]:.0f} ms, p90 {cut[1]:.0f} ms, p99 {cut[2]:.0f} ms", flush=True)
    return len(latencies), time.perf_counter() - start, _p95(latencies), errors[0]


def main() -> None:
    if len(sys.argv) < 2 or not sys.argv[1].startswith("postgres"):
        sys.exit(__doc__)
    n_cases, threads, seconds = _arg("--cases", 600), _arg("--threads", 4), _arg("--seconds", 15)
    env = {
        **os.environ,
        "DATABASE_URL": sys.argv[1],
        "DJANGO_SETTINGS_MODULE": "bench.cases_settings",
        "PYTHONPATH": str(ROOT),
    }
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    pairs = setup(n_cases)
    print(f"{len(pairs)} open step tasks", flush=True)
    gunicorn = subprocess.Popen(
        [str(ROOT / ".venv/bin/gunicorn"), "-w", "2", "-b", f"{HOST}:{PORT}", "--log-level", "warning", "config.wsgi"],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    body = json.dumps({"kind": "agree"}).encode()
    try:
        wait_port()
        sessions = {u: _headers(login(u)) for u in sorted({u for _c, _t, u in pairs})}
        floor = [("/bench/insert/", b"{}", h) for h in sessions.values()]
        # warm up both workers
        load(iter(floor * 10), threads, 5)
        # warm up the API in both workers too (router import, calendar load): not measured
        warm, pairs = pairs[:32], pairs[32:]
        load(iter([(f"/api/cases/{c}/tasks/{t}/opinion", body, sessions[u]) for c, t, u in warm]), threads, 10)
        loadavg = os.getloadavg()
        # 1. saturation, side by side: the same client threads, workers and session authentication
        bare = load(iter(floor * 2000), threads, seconds)
        todo = iter([(f"/api/cases/{c}/tasks/{t}/opinion", body, sessions[u]) for c, t, u in pairs])
        trans = load(todo, threads, seconds)
        # 2. the transition at one third of the bare view's throughput, open loop: its p95 there
        rate = bare[0] / bare[1] / 3
        rest = list(todo)[: int(rate * seconds)]
        at_rate = paced(rest, rate) if rest else (0, 0.0, float("nan"), 0)
        loadavg_end = os.getloadavg()
    finally:
        os.killpg(gunicorn.pid, signal.SIGTERM)
        gunicorn.wait(timeout=20)
    rows = []
    for label, (ok, elapsed, p95, err) in (
        ("bare INSERT view, saturated", bare),
        ("case opinion, saturated", trans),
        (f"case opinion at {rate:.1f} req/s (1/3 of bare)", at_rate),
    ):
        rps = ok / elapsed if elapsed else 0.0
        rows.append((label, ok, err, rps, p95))
        print(f"{label:40} {ok:6d} ok {err:4d} errors  {rps:7.1f} req/s  p95 {p95:6.1f} ms", flush=True)
    ratio = rows[1][3] / rows[0][3] if rows[0][3] else 0.0
    enough = len(rest) >= int(rate * seconds) * 0.9
    verdict = "met" if ratio >= 1 / 3 and rows[2][4] < 100 and enough else "**missed**"
    load_text = f"load average {loadavg[0]:.1f} → {loadavg_end[0]:.1f}"
    print(
        f"ratio {ratio:.2f} (target ≥ 0.33), p95 at 1/3 of bare {rows[2][4]:.1f} ms (target < 100 ms): {verdict}; "
        f"{load_text}"
    )
    if not enough:
        print("not enough open tasks for the paced run: raise --cases")
    if "--write" in sys.argv:
        machine = f"{os.cpu_count()} cores, {load_text}, gunicorn 2 workers, {threads} client threads"
        when = time.strftime("%Y-%m-%d %H:%M")
        lines = [f"| {when} | {machine} | {r[0]} | {r[1]} ({r[2]} errors) | {r[3]:.1f} | {r[4]:.1f} |" for r in rows]
        path = ROOT / "docs" / "performance.md"
        text = path.read_text(encoding="utf-8")
        header = "## Case transitions (bench/cases.py)"
        if header not in text:
            text += f"\n{header}\n\n| date | machine | endpoint | requests | req/s | p95 ms |\n"
            text += "|---|---|---|---|---|---|\n"
        text = text.rstrip("\n") + "\n" + "\n".join(lines) + "\n"
        text += f"\nRatio {ratio:.2f}, p95 at one third of the bare throughput {rows[2][4]:.1f} ms: {verdict}.\n"
        path.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
