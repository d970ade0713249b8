"""Soak benchmark (issue 14): the whole deployment under mixed traffic for ten minutes (PostgreSQL +
2 gunicorn web processes + 2 task workers + the scheduler + wrk; not part of the test suite).

    apt-get install wrk      # Debian's wrk 4.1; bench/soak_wrk.lua does the pacing
    .venv/bin/python bench/soak.py [--seconds 600] [--rate 20] [--connections 32] [--write]
        [--db postgres://postgres@127.0.0.1:5432/xn_bench_soak] [--seed-only]

(--seed-only prepares the database for a run of that length and rate, and stops: the open tasks are
used by the next run, so its seeding is short.)

Creates the database if it is missing, migrates it and seeds it through bench/cases.py's `setup`
(the city, five departments, their reviewers and head, a published item whose first stage is a
four-department parallel review, and enough accepted cases for the run's opinions), plus 30 cases
and 30 complaints to look up by number and query code. Then starts, with bench/soak_settings.py
(the public tracking limit raised: every look-up comes from 127.0.0.1) and the real task backend
(django-tasks' database backend):

  - two gunicorn masters (one gthread worker of 4 threads each) on 127.0.0.1:8771 and :8772,
  - two `manage.py db_worker` and one `manage.py run_scheduler`,

logs the reviewers and an applicant in (session + CSRF, like the browser), and drives one wrk run of
`--seconds` (2 threads, one per web process, keep-alive) with bench/soak_wrk.lua: open loop at
`--rate` requests per second, each request's type from a fixed pattern — 20 % online applications
(POST /api/cases, form fields, no files), 30 % opinions (POST /api/cases/{case}/tasks/{task}/opinion,
each open task once, by its department's reviewer), 20 % complaints without a session
(POST /api/complaints/submit, named, each with its own Idempotency-Key), 30 % public tracking look-ups
(GET /api/cases/track and /api/complaints/track, half each) — latency counted from each request's
due time.

Afterwards: the task backlog when the traffic stops, the time until the workers have drained it,
and the checks that nothing was lost: new cases = applications answered 2xx = `case.submitted`
events; new opinions = opinions answered 2xx = `case.step_decided` events by the reviewers; new
complaints = complaints answered 2xx = `complaint.registered` events; `manage.py verify_trail`
passes; no task result FAILED. Also the resident memory of every process at the start and the end
(sampled every 10 s), the growth of the database, and the load average (the machine is shared).
Targets: 0 errors, nothing lost. With --write appends the result to docs/performance.md.
"""

from __future__ import annotations

import http.client
import json
import math
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import cases as cases_bench  # noqa: E402  (the seed, the login; after ROOT is on the path)

HOST = "127.0.0.1"
PORTS = (8771, 8772)  # two gunicorn masters: bench/soak_wrk.lua sends thread 1 to the first port + 1
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/xn_bench_soak"
KINDS = ("app", "opinion", "complaint", "track")
SHARE = {"app": 0.2, "opinion": 0.3, "complaint": 0.2, "track": 0.3}  # as the 10-slot pattern in the Lua
LABEL = {
    "app": "online application",
    "opinion": "opinion on a step",
    "complaint": "complaint (public API, no session)",
    "track": "public tracking look-up",
}
N_TRACKED = 30


def _arg(name: str, default: str) -> str:
    return sys.argv[sys.argv.index(name) + 1] if name in sys.argv else default


def _psql(url: str, sql: str) -> str:
    return subprocess.run(["psql", url, "-Atc", sql], capture_output=True, text=True, check=True).stdout.strip()


def create_database(url: str) -> None:
    base, name = url.rsplit("/", 1)
    if not _psql(base + "/postgres", f"SELECT 1 FROM pg_database WHERE datname = '{name}'"):
        _psql(base + "/postgres", f'CREATE DATABASE "{name}"')
        print(f"created database {name}", flush=True)


def db_size(url: str) -> int:
    return int(_psql(url, "SELECT pg_database_size(current_database())"))


# --- seed ----------------------------------------------------------------------------------------


def seed(n_cases: int) -> tuple[list[tuple[int, int, str]], list[str], str, dict[str, Any]]:
    """bench/cases.py's setup (item, staff, accepted cases with open parallel tasks), then the look-up
    targets: N_TRACKED cases and complaints with their query codes. Returns the (case, task, reviewer)
    pool, the tracking paths, the item's implementing code and the baseline of the counters."""
    pairs = cases_bench.setup(n_cases)
    from xiaoneng.cases.actions.intake import case_submit
    from xiaoneng.catalog.models import Item
    from xiaoneng.complaints.actions.intake import complaint_submit
    from xiaoneng.orgs.models import User

    applicant = User.objects.get(username="bench_applicant")
    item = Item.objects.filter(implementing_code__endswith="000000000001001", head__isnull=False).get()
    track = []
    form = {"applicant_name": "查询", "phone": "13900009999", "description": "基准测试：公开查询"}
    for _i in range(N_TRACKED):
        case, code = case_submit(actor=applicant, item=item, form_data=form)
        q = urllib.parse.urlencode({"tracking_number": case.tracking_number, "code": code})
        track.append(f"/api/cases/track?{q}")
        reg = complaint_submit(
            kind="efficiency",
            title="办事等候时间长",
            content="基准测试：公开查询投诉的办理进度。",
            name="查询",
            phone="13900009999",
        )
        q = urllib.parse.urlencode({"number": reg.complaint.number, "code": reg.code})
        track.append(f"/api/complaints/track?{q}")
    return pairs, track, item.implementing_code, counters()


def counters() -> dict[str, Any]:
    """The high-water marks the run is measured against."""
    from django.db.models import Max

    from xiaoneng.cases.models import Case, Opinion
    from xiaoneng.complaints.models import Complaint
    from xiaoneng.core.models import Event

    return {
        "case": Case.objects.aggregate(m=Max("pk"))["m"] or 0,
        "opinion": Opinion.objects.aggregate(m=Max("pk"))["m"] or 0,
        "complaint": Complaint.objects.aggregate(m=Max("pk"))["m"] or 0,
        "event": Event.objects.aggregate(m=Max("pk"))["m"] or 0,
    }


# --- processes -----------------------------------------------------------------------------------


def _children(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def _rss_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


class Fleet:
    """The five processes of the deployment, each in its own session (stopped by its process group)."""

    def __init__(self, env: dict[str, str], logs: Path) -> None:
        py = str(ROOT / ".venv/bin/python")
        gunicorn = [str(ROOT / ".venv/bin/gunicorn"), "-w", "1", "-k", "gthread", "--threads", "4"]
        # keep-alive longer than wrk's connections ever idle (their last requests answered, the 10 s grace
        # after the window): a server closing an idle connection just as the client reuses it would
        # count as an error that is the load generator's, not the application's
        gunicorn += ["--keep-alive", "75", "--timeout", "60", "--log-level", "warning", "config.wsgi"]
        self.specs = {
            "web 1": [*gunicorn, "-b", f"{HOST}:{PORTS[0]}"],
            "web 2": [*gunicorn, "-b", f"{HOST}:{PORTS[1]}"],
            "worker 1": [py, "manage.py", "db_worker", "--queue-name", "default"],
            "worker 2": [py, "manage.py", "db_worker", "--queue-name", "default"],
            "scheduler": [py, "manage.py", "run_scheduler"],
        }
        self.logs = logs
        self.procs: dict[str, subprocess.Popen[bytes]] = {}
        for name, cmd in self.specs.items():
            log = (logs / f"{name.replace(' ', '_')}.log").open("wb")
            self.procs[name] = subprocess.Popen(
                cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )

    def pids(self) -> dict[str, int]:
        """The process that does the work: a gunicorn master's worker, or the command itself."""
        out = {}
        for name, p in self.procs.items():
            kids = _children(p.pid) if name.startswith("web") else []
            out[name] = kids[0] if kids else p.pid
        return out

    def cpu(self) -> dict[str, int | None]:
        return {name: _ticks(pid) for name, pid in self.pids().items()}

    def rss(self) -> dict[str, float | None]:
        return {name: _rss_mb(pid) for name, pid in self.pids().items()}

    def alive(self) -> list[str]:
        return [name for name, p in self.procs.items() if p.poll() is None]

    def stop(self) -> None:
        for p in self.procs.values():
            if p.poll() is None:
                os.killpg(p.pid, signal.SIGTERM)
        for name, p in self.procs.items():
            try:
                p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                print(f"{name} did not stop in 30 s: killed", flush=True)
                os.killpg(p.pid, signal.SIGKILL)
                p.wait(timeout=10)


def wait_port(port: int) -> None:
    for _ in range(300):
        with socket.socket() as s:
            if s.connect_ex((HOST, port)) == 0:
                return
        time.sleep(0.2)
    raise SystemExit(f"gunicorn on port {port} did not start")


def warm(paths: list[str]) -> None:
    """A few look-ups on each web process (imports, URL resolver, calendar) before the clock starts."""
    for port in PORTS:
        for path in paths[:4]:
            conn = http.client.HTTPConnection(HOST, port, timeout=120)
            conn.request("GET", path)
            r = conn.getresponse()
            r.read()
            if r.status != 200:
                raise SystemExit(f"warm-up look-up {path} on :{port} answered {r.status}")
            conn.close()


# --- sampling during the run ---------------------------------------------------------------------


@dataclass
class Samples:
    backlog: list[tuple[float, int]] = field(default_factory=list)  # (s since start, READY tasks)
    rss: list[tuple[float, dict[str, float | None]]] = field(default_factory=list)
    load: list[float] = field(default_factory=list)


def task_counts(since: Any = None) -> dict[str, int]:
    from django.db.models import Count
    from django_tasks_db.models import DBTaskResult

    qs = DBTaskResult.objects.all()
    if since is not None:
        qs = qs.filter(enqueued_at__gte=since)
    return {row["status"]: row["n"] for row in qs.values("status").annotate(n=Count("id"))}


def sampler(fleet: Fleet, samples: Samples, stop: threading.Event, t0: float, every: float = 10.0) -> None:
    from django.db import connection

    try:
        while not stop.wait(every):
            t = time.monotonic() - t0
            samples.backlog.append((t, task_counts().get("READY", 0)))
            samples.rss.append((t, fleet.rss()))
            samples.load.append(os.getloadavg()[0])
    finally:
        connection.close()


# --- results -------------------------------------------------------------------------------------


@dataclass
class Kind:
    sent: int = 0
    ok: int = 0
    bad: int = 0
    inflight: int = 0
    lat: list[float] = field(default_factory=list)

    def pct(self, q: float) -> float:
        # requests still unanswered after the grace period count as slower than any answered one
        n = len(self.lat) + self.inflight
        i = min(n - 1, max(0, int(n * q + 0.5) - 1)) if n else 0
        return self.lat[i] if i < len(self.lat) else float("inf")


def read_out(path: Path) -> tuple[dict[str, Kind], dict[str, float], list[str], list[tuple[float, float]]]:
    """Per kind: the counts and latencies; the run's meta counters; the first error answers; and
    (due second, latency ms) of every answer, for the latency over time."""
    kinds = {k: Kind() for k in KINDS}
    timeline = []
    meta = {"unmatched": 0.0, "exhausted": 0.0, "maxlag_ms": 0.0, "late": 0.0}
    errors = []
    for line in path.read_text().splitlines():
        if line.startswith("thread "):
            f = dict(kv.split("=") for kv in line.split()[1:])
            for k in ("unmatched", "exhausted", "late"):
                meta[k] += float(f[k])
            meta["maxlag_ms"] = max(meta["maxlag_ms"], float(f["maxlag_ms"]))
        elif line.startswith("kind "):
            parts = line.split()
            f = dict(kv.split("=") for kv in parts[2:])
            k = kinds[parts[1]]
            k.sent += int(f["sent"])
            k.ok += int(f["ok"])
            k.bad += int(f["bad"])
            k.inflight += int(f["inflight"])
        elif line.startswith("err "):
            errors.append(line[4:])
        elif line.startswith("lat "):
            _tag, kind, ms, due = line.split()
            kinds[kind].lat.append(float(ms))
            timeline.append((float(due), float(ms)))
    for k in kinds.values():
        k.lat.sort()
    return kinds, meta, errors, timeline


def p95_over_time(timeline: list[tuple[float, float]], seconds: int, windows: int = 10) -> list[float]:
    """The p95 of the answers due in each tenth of the run (a soak's latency should not drift)."""
    width = seconds / windows
    out = []
    for w in range(windows):
        lat = sorted(ms for due, ms in timeline if w * width <= due < (w + 1) * width)
        out.append(lat[min(len(lat) - 1, max(0, int(len(lat) * 0.95 + 0.5) - 1))] if lat else float("nan"))
    return out


def _ticks(pid: int) -> int | None:
    """utime + stime of a process (clock ticks), from /proc."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return int(fields[11]) + int(fields[12])


def lost_checks(base: dict[str, Any], reviewer_ids: list[int], applicant_id: int) -> dict[str, dict[str, int]]:
    """What the database holds for the run: rows and trail events per request type."""
    from xiaoneng.cases.models import Case, Opinion
    from xiaoneng.complaints.models import Complaint
    from xiaoneng.core.models import Event

    ev = Event.objects.filter(pk__gt=base["event"])
    return {
        "app": {
            "rows": Case.objects.filter(pk__gt=base["case"]).count(),
            "events": ev.filter(action="case.submitted", actor_id=applicant_id).count(),
        },
        "opinion": {
            "rows": Opinion.objects.filter(pk__gt=base["opinion"], author_id__in=reviewer_ids).count(),
            "events": ev.filter(action="case.step_decided", actor_id__in=reviewer_ids).count(),
        },
        "complaint": {
            "rows": Complaint.objects.filter(pk__gt=base["complaint"]).count(),
            "events": ev.filter(action="complaint.registered").count(),
        },
    }


def wait_drain(timeout: float) -> tuple[float, bool]:
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout:
        c = task_counts()
        if not c.get("READY", 0) and not c.get("RUNNING", 0):
            return time.monotonic() - t0, True
        time.sleep(1)
    return time.monotonic() - t0, False


def _fmt_ms(x: float) -> str:
    return "—" if math.isinf(x) or math.isnan(x) else f"{x:,.0f}" if x >= 100 else f"{x:.1f}"


def main() -> None:
    if shutil.which("wrk") is None:
        sys.exit("wrk is needed: apt-get install wrk")
    if "-h" in sys.argv or "--help" in sys.argv:
        sys.exit(__doc__)
    url = _arg("--db", DEFAULT_DB)
    seconds, rate = int(_arg("--seconds", "600")), float(_arg("--rate", "20"))
    conns = int(_arg("--connections", "32"))
    create_database(url)
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "bench.soak_settings",
        "PYTHONPATH": str(ROOT),
    }
    os.environ.update(env)
    cases_bench.URL_DB = url
    # opinions: 30 % of the requests, each an open task; a margin for the rounding of the pattern
    n_opinions = math.ceil(SHARE["opinion"] * rate * seconds * 1.05) + 64
    t_seed = time.monotonic()
    pairs, track, item_code, _ = seed(n_opinions // 4 + 1)
    print(f"seeded in {time.monotonic() - t_seed:.0f} s: {len(pairs)} open step tasks", flush=True)
    if "--seed-only" in sys.argv:
        return
    from django.db import connections
    from django.utils import timezone

    from xiaoneng.orgs.models import User

    reviewers = sorted({u for _c, _t, u in pairs})
    reviewer_ids = list(User.objects.filter(username__in=reviewers).values_list("pk", flat=True))
    applicant_id = User.objects.get(username="bench_applicant").pk
    size0 = db_size(url)
    connections.close_all()

    tmp = Path(tempfile.mkdtemp(prefix="xn-bench-soak-"))
    fleet = Fleet(env, tmp)
    samples = Samples()
    stop = threading.Event()
    try:
        for port in PORTS:
            wait_port(port)
        cases_bench.PORT = PORTS[0]  # bench/cases.py's login() talks to its module's PORT
        sessions = {u: cases_bench.login(u) for u in [*reviewers, "bench_applicant"]}
        warm(track)
        time.sleep(3)  # the workers' start-up delay, the scheduler's first enqueues
        # the seed's own notifications (and the scheduler's first round) are worked off before the
        # traffic starts, so that the backlog and the workers' CPU measured are the traffic's
        waited, drained0 = wait_drain(900)
        print(f"task queue before the traffic drained in {waited:.0f} s", flush=True)
        if not drained0:
            raise SystemExit("the task queue did not drain before the traffic")
        connections.close_all()

        def line(kind: str, path: str, cookies: dict[str, str] | None, body: str) -> str:
            cookie = "; ".join(f"{k}={v}" for k, v in (cookies or {}).items())
            return f"{kind}\t{path}\t{cookie}\t{(cookies or {}).get('csrftoken', '')}\t{body}\n"

        lines = []
        app = sessions["bench_applicant"]
        form = {"item": item_code, "applicant_name": "网上申请", "phone": "13900009999", "description": "基准测试"}
        lines.append(line("app", "/api/cases", app, urllib.parse.urlencode(form)))
        complaint = {
            "kind": "efficiency",
            "title": "窗口办事等候时间长",
            "content": "基准测试：办理业务时等候时间较长，希望优化流程。",
            "name": "基准",
            "phone": "13900009999",
        }
        lines.append(line("complaint", "/api/complaints/submit", None, json.dumps(complaint, ensure_ascii=False)))
        lines += [line("track", p, None, "") for p in track]
        body = json.dumps({"kind": "agree"})
        lines += [line("opinion", f"/api/cases/{c}/tasks/{t}/opinion", sessions[u], body) for c, t, u in pairs]
        targets = tmp / "targets.txt"
        targets.write_text("".join(lines), encoding="utf-8")

        base = counters()
        t_start = timezone.now()
        tasks0 = task_counts()
        connections.close_all()
        rss0, cpu0 = fleet.rss(), fleet.cpu()
        load0 = os.getloadavg()
        out = tmp / "wrk.out"
        t0 = time.monotonic() + 1.0  # the schedule starts once every connection is up
        sampler_thread = threading.Thread(target=sampler, args=(fleet, samples, stop, t0), daemon=True)
        sampler_thread.start()
        cmd = ["wrk", "-t", "2", "-c", str(conns), "-d", f"{seconds + 10}s", "--timeout", "30s"]
        cmd += ["-s", str(ROOT / "bench" / "soak_wrk.lua"), f"http://{HOST}:{PORTS[0]}", "--"]
        cmd += [str(targets), str(out), f"{t0:.6f}", f"{rate:.3f}", str(seconds), f"{int(time.time())}", "2"]
        print(f"wrk: {seconds} s at {rate:g} req/s, {conns} connections", flush=True)
        proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
        cpu1 = fleet.cpu()
        stop.set()
        sampler_thread.join()
        if proc.returncode:
            raise SystemExit(f"wrk failed: {proc.stdout}{proc.stderr}")
        socket_errors = next((ln.strip() for ln in proc.stdout.splitlines() if "Socket errors" in ln), "")
        load1 = os.getloadavg()
        backlog_end = task_counts().get("READY", 0)
        drain_s, drained = wait_drain(600)
        rss1 = fleet.rss()
        dead = [n for n in fleet.specs if n not in fleet.alive()]
    finally:
        stop.set()
        fleet.stop()
    kinds, meta, errors, timeline = read_out(out)
    lost = lost_checks(base, reviewer_ids, applicant_id)
    tasks = task_counts(since=t_start)
    failed = tasks.get("FAILED", 0)
    verify = subprocess.run(
        [str(ROOT / ".venv/bin/python"), "manage.py", "verify_trail"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    size1 = db_size(url)
    connections.close_all()

    ok = sum(k.ok for k in kinds.values())
    bad = sum(k.bad for k in kinds.values())
    unanswered = sum(k.inflight for k in kinds.values())
    allk = Kind(lat=sorted(x for k in kinds.values() for x in k.lat), inflight=unanswered)
    report = []
    say = report.append
    say(f"load average {load0[0]:.1f} → {load1[0]:.1f} (max sampled {max(samples.load, default=load1[0]):.1f})")
    say(f"{ok} answered 2xx in {seconds} s: {ok / seconds:.1f} req/s (scheduled {rate:g} req/s)")
    wrk_errors = socket_errors or "no socket errors"
    say(f"errors: {bad} non-2xx, {unanswered} unanswered, {int(meta['unmatched'])} unmatched; wrk {wrk_errors}")
    if meta["exhausted"]:
        say(f"ran out of open tasks: {int(meta['exhausted'])} opinions sent as look-ups instead")
    say(f"send lag max {meta['maxlag_ms']:.0f} ms ({int(meta['late'])} requests > 5 ms late)")
    for name, k in [*kinds.items(), ("all", allk)]:
        sent = k.sent if name != "all" else sum(x.sent for x in kinds.values())
        kok = k.ok if name != "all" else ok
        kbad = k.bad if name != "all" else bad
        say(
            f"  {name:9} sent {sent:6d}  2xx {kok:6d}  non-2xx {kbad:4d}  p50 {_fmt_ms(k.pct(0.5)):>6}  "
            f"p95 {_fmt_ms(k.pct(0.95)):>6}  p99 {_fmt_ms(k.pct(0.99)):>6} ms"
        )
    say(
        "p95 over time (ms, each tenth of the run, all types): "
        + ", ".join(_fmt_ms(x) for x in p95_over_time(timeline, seconds))
    )
    tick = 1000 / os.sysconf("SC_CLK_TCK")
    cpu = {n: ((cpu1[n] or 0) - (cpu0[n] or 0)) * tick / 1000 for n in fleet.specs if cpu0[n] is not None}
    web_ms = sum(v for n, v in cpu.items() if n.startswith("web")) * 1000 / max(1, ok)
    say(
        "CPU s during the traffic: "
        + ", ".join(f"{n} {v:.1f}" for n, v in cpu.items())
        + f" (web {web_ms:.1f} ms per answered request)"
    )
    for e in errors[:10]:
        say(f"  error: {e}")
    checks = []
    for name, got in lost.items():
        want = kinds[name].ok
        checks.append((name, want, got["rows"], got["events"], want == got["rows"] == got["events"]))
        say(
            f"  lost? {name:9} 2xx {want}  rows {got['rows']}  trail events {got['events']}: "
            f"{'nothing lost' if checks[-1][-1] else '**MISMATCH**'}"
        )
    trail_ok = verify.returncode == 0
    say(f"verify_trail: {'ok' if trail_ok else 'FAILED: ' + (verify.stdout + verify.stderr).strip()[-500:]}")
    by_status = ", ".join(f"{k} {v}" for k, v in sorted(tasks.items()))
    say(f"tasks enqueued during the run: {sum(tasks.values())} ({by_status}); before the run {tasks0}")
    peak = max((b for _t, b in samples.backlog), default=0)
    say(
        f"task backlog: max sampled {peak}, at the end of the traffic {backlog_end}; drained in {drain_s:.0f} s"
        + ("" if drained else " — **NOT drained**")
    )
    say(f"database size {size0 / 2**20:.1f} → {size1 / 2**20:.1f} MB (+{(size1 - size0) / 2**20:.1f} MB)")
    peak_rss = {n: max([rss1[n] or 0] + [s[n] or 0 for _t, s in samples.rss]) for n in fleet.specs}
    say(
        "RSS MB start → end (max sampled): "
        + ", ".join(f"{n} {rss0[n] or 0:.0f} → {rss1[n] or 0:.0f} ({peak_rss[n]:.0f})" for n in fleet.specs)
    )
    if dead:
        say(f"**processes that died during the run: {', '.join(dead)}** (logs in {tmp})")
    verdict = (
        bad == 0
        and unanswered == 0
        and not meta["unmatched"]
        and all(c[-1] for c in checks)
        and trail_ok
        and failed == 0
        and drained
        and not dead
    )
    say(f"verdict: {'met — 0 errors, nothing lost' if verdict else '**missed**'}")
    print("\n".join(report), flush=True)
    if dead or not verdict:
        print(f"process logs kept in {tmp}", flush=True)
    else:
        shutil.rmtree(tmp, ignore_errors=True)
    if "--write" in sys.argv:
        write(seconds, rate, conns, kinds, allk, ok, bad, unanswered, report, load0[0], load1[0])


def write(
    seconds: int,
    rate: float,
    conns: int,
    kinds: dict[str, Kind],
    allk: Kind,
    ok: int,
    bad: int,
    unanswered: int,
    report: list[str],
    l0: float,
    l1: float,
) -> None:
    when = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    rows = [
        f"#### Run {when}: {seconds} s at {rate:g} req/s, load average {l0:.1f} → {l1:.1f}",
        "",
        "| type | sent | 2xx | non-2xx | p50 ms | p95 ms | p99 ms |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, k in kinds.items():
        rows.append(
            f"| {LABEL[name]} | {k.sent} | {k.ok} | {k.bad} | {_fmt_ms(k.pct(0.5))} | "
            f"**{_fmt_ms(k.pct(0.95))}** | {_fmt_ms(k.pct(0.99))} |"
        )
    rows.append(
        f"| all ({ok / seconds:.1f} req/s) | {sum(k.sent for k in kinds.values())} | {ok} | {bad} | "
        f"{_fmt_ms(allk.pct(0.5))} | **{_fmt_ms(allk.pct(0.95))}** | {_fmt_ms(allk.pct(0.99))} |"
    )
    rows += ["", "```", *report, "```", ""]
    path = ROOT / "docs" / "performance.md"
    text = path.read_text(encoding="utf-8")
    marker = "<!-- bench/soak.py --write appends here -->"
    if marker in text:
        path.write_text(text.replace(marker, "\n".join(rows) + "\n" + marker), encoding="utf-8")
    else:
        print("\n".join(rows))


if __name__ == "__main__":
    main()
