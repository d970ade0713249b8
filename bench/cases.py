"""Case-transition benchmark (PostgreSQL + gunicorn + wrk; not part of the test suite).

    apt-get install wrk      # Debian's wrk 4.1 (wrk2 is not packaged); the Lua script does the pacing
    .venv/bin/python bench/cases.py postgres://postgres@127.0.0.1:5432/xn_bench_cases [--cases 3000]
        [--seconds 10] [--runs 3] [--workers 4] [--threads 1] [--connections 8] [--keep-alive]
        [--no-defer-accept] [--write]

Prepares accepted cases of an item whose first stage is a four-department parallel review (four
open step tasks each; open tasks left by earlier runs are used first), starts gunicorn (`--workers`
processes of `--threads` threads, gthread) on 127.0.0.1 with bench/cases_settings.py, logs each
department's reviewer in once (session + CSRF, like the browser), then drives the server with wrk
and bench/cases_wrk.lua (C, a few per cent of a core, instead of a Python client that took a large
share of the two cores and so compressed the ratio):

  (a) the floor: POST /bench/insert/ — a bare Django view doing one INSERT (same stack, same auth);
  (b) POST /api/cases/{case}/tasks/{task}/opinion {"kind": "agree"} — a real transition: the task in
      the reviewer's scope, case row lock, the stage's tasks, opinion, task, clock stop, events,
      join check; every fourth completes the joint stage (next stage opened with its clock, the head
      told). Every request signs a different open task (a pool indexed by a counter in Lua).

Each run, side by side: (a) saturated, (b) saturated (closed loop, `--connections`, `--seconds`
each, in three alternating slices so that both see the same machine); then (b) open loop at one
third of (a)'s measured rate for `--seconds` (each request due at its time whatever happened to the
earlier ones, latency counted from that due time). Printed per phase: req/s, p50/p95/p99, CPU ms
per answered request of gunicorn, the PostgreSQL backends and wrk, and the load average; for the
paced phase also the time its requests spent in Django (wall, CPU) and each stall (requests over
100 ms close together: when, how bad, and how long they spent in Django — time outside Django is
queueing). Every request is a new connection ("Connection: close", as from a reverse proxy) unless
--keep-alive. gunicorn defers accepting a connection until its request arrives (gunicorn.conf.py)
unless --no-defer-accept.
With --write appends one row per run to docs/performance.md.
Targets: (b) ≥ 1/3 of (a)'s throughput, and p95 < 100 ms at that rate.
"""

from __future__ import annotations

import functools
import http.client
import json
import os
import re
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HOST, PORT = "127.0.0.1", 8765
URL = f"http://{HOST}:{PORT}"
URL_DB = ""  # the benchmark's database (argument 1)
PASSWORD = "bench-Pass-2026"
STRIDE = 32  # a case's next opinion comes 4·STRIDE requests later (see setup)
WORKERS, THREADS = 4, 1  # gunicorn: processes × threads (gthread), as production (docs/performance.md)
SLICES = 3  # saturation: bare and opinion alternate in this many slices each
CLOSE = "--keep-alive" not in sys.argv  # one connection per request (see bench/cases_wrk.lua)


def _arg(name: str, default: int) -> int:
    return int(sys.argv[sys.argv.index(name) + 1]) if name in sys.argv else default


def setup(n_cases: int) -> list[tuple[int, int, str]]:
    """Migrate, create the jurisdiction, its staff, the item and N accepted cases; return (case, task,
    username of the reviewer of the task's department) for every open parallel task."""
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from xiaoneng.cases.actions.intake import case_accept, case_submit
    from xiaoneng.cases.choices import TaskStatus
    from xiaoneng.cases.models import StepTask
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
        assert version is not None
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
    )
    # A staggered pipeline: the r-th opinion on the i-th case goes to slot i + STRIDE·r. Each run of
    # four requests then holds one opinion of each rank, so every fourth request completes its stage
    # and opens the next (evenly, as in real work, not in bursts); and a case comes back only
    # 4·STRIDE requests later, so requests in flight at the same moment act on different cases, as
    # different departments do (the same case is serialised by its row lock by design).
    rank: dict[int, int] = {}
    order = {c: i for i, c in enumerate(dict.fromkeys(c for c, _t, _d in pairs))}
    keyed = []
    for case_id, task_id, dept_id in pairs:
        rank[case_id] = rank.get(case_id, -1) + 1
        keyed.append((order[case_id] + STRIDE * rank[case_id], rank[case_id], case_id, task_id, reviewers[dept_id]))
    return [(c, t, u) for _k, _r, c, t, u in sorted(keyed)]


def wait_port() -> None:
    for _ in range(100):
        with socket.socket() as s:
            if s.connect_ex((HOST, PORT)) == 0:
                return
        time.sleep(0.2)
    raise SystemExit("gunicorn did not start")


def login(username: str) -> dict[str, str]:
    conn = http.client.HTTPConnection(HOST, PORT, timeout=120)  # a cold worker on a busy machine
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


def _line(path: str, cookies: dict[str, str], body: str) -> str:
    cookie = "; ".join(f"{k}={v}" for k, v in cookies.items())
    return f"{path}\t{cookie}\t{cookies['csrftoken']}\t{body}\n"


def _cpu_ticks(pids: list[int]) -> dict[int, int]:
    """utime + stime of each process still alive (clock ticks), from /proc."""
    ticks = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        ticks[pid] = int(fields[11]) + int(fields[12])
    return ticks


def _cpu_delta(before: dict[int, int], after: dict[int, int]) -> int:
    # a backend that gunicorn replaced meanwhile (CONN_MAX_AGE) is not counted: a slight undercount
    return sum(after[p] - t for p, t in before.items() if p in after)


def _children(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


class Phase:
    """One wrk run and what it measured (latencies in ms, CPU in ms per answered request)."""

    def __init__(
        self, label: str, out: Path, seconds: float, cpu: dict[str, float], paced: bool, wall0: float = 0.0
    ) -> None:
        self.label, self.seconds, self.paced, self.wall0 = label, seconds, paced, wall0
        self.lat: list[float] = []
        # (due or sent, s from T0; latency ms; in Django: wall ms, CPU ms)
        self.timeline: list[tuple[float, float, float, float]] = []
        self.ok = self.errors = self.unmatched = self.inflight = self.late = self.exhausted = 0
        self.maxlag = 0.0
        self.maxidx = -1
        for line in out.read_text().splitlines():
            if line.startswith("thread "):
                f = dict(kv.split("=") for kv in line.split()[1:])
                self.ok += int(f["ok"])
                self.errors += int(f["errors"])
                self.unmatched += int(f["unmatched"])
                self.inflight += int(f["inflight"])
                self.late += int(f["late"])
                self.exhausted += int(f["exhausted"])
                self.maxlag = max(self.maxlag, float(f["maxlag_ms"]))
                self.maxidx = max(self.maxidx, int(f["maxidx"]))
            elif line:
                latency, due, server = line.split()
                wall_ms, cpu_ms = server.split(",")
                self.lat.append(float(latency))
                self.timeline.append((float(due), float(latency), float(wall_ms), float(cpu_ms)))
        self.lat.sort()
        self.timeline.sort()
        self.cpu = {k: v / max(1, self.ok) for k, v in cpu.items()}

    @classmethod
    def merge(cls, label: str, parts: list[Phase]) -> Phase:
        merged = cls.__new__(cls)
        merged.__dict__.update(parts[0].__dict__)
        merged.label, merged.seconds = label, sum(p.seconds for p in parts)
        for name in ("ok", "errors", "unmatched", "inflight", "late", "exhausted"):
            setattr(merged, name, sum(getattr(p, name) for p in parts))
        merged.maxlag, merged.maxidx = max(p.maxlag for p in parts), max(p.maxidx for p in parts)
        merged.lat = sorted(x for p in parts for x in p.lat)
        merged.timeline = []  # each slice has its own T0
        merged.cpu = {k: sum(p.cpu[k] * p.ok for p in parts) / max(1, merged.ok) for k in parts[0].cpu}
        return merged

    @property
    def rate(self) -> float:
        return self.ok / self.seconds

    def pct(self, q: float) -> float:
        # paced: requests still unanswered after the grace period count as slower than any answered
        # one (closed loop: the few in flight when wrk stops are simply cut off)
        n = len(self.lat) + (self.inflight if self.paced else 0)
        i = min(n - 1, max(0, int(n * q + 0.5) - 1)) if n else 0
        return self.lat[i] if i < len(self.lat) else float("inf")

    def stalls(self, over_ms: float = 100.0) -> list[str]:
        """The moments the tail came from: runs of requests due within 100 ms of each other that took
        longer than `over_ms`, with the wall-clock time (to match against the PostgreSQL log) and how
        many requests due in that window were answered in time: a stall delays them all, a queue only
        those behind it."""
        spans: list[list[float]] = []  # [first due, last due, worst latency, slow count]
        for due, latency, _wall, _cpu in self.timeline:
            if latency <= over_ms:
                continue
            if spans and due - spans[-1][1] <= 0.1:
                spans[-1][1], spans[-1][2], spans[-1][3] = due, max(spans[-1][2], latency), spans[-1][3] + 1
            else:
                spans.append([due, due, latency, 1])
        out = []
        for first, last, worst, slow in spans:
            inside = [t for t in self.timeline if first <= t[0] <= last]
            fast = sum(1 for t in inside if t[1] <= over_ms)
            wall = max(t[2] for t in inside)
            cpu = max(t[3] for t in inside)
            at = self.wall0 + first
            clock = time.strftime("%H:%M:%S", time.gmtime(at)) + f".{int(at % 1 * 1000):03d}"
            out.append(
                f"{clock} UTC (+{first:.2f} s): {slow} requests over {over_ms:.0f} ms "
                f"within {1000 * (last - first):.0f} ms, worst {worst:.0f} ms, {fast} in time meanwhile; "
                f"longest in Django {wall:.0f} ms wall, {cpu:.0f} ms CPU"
            )
        return out

    def row(self) -> str:
        cpu = " + ".join(f"{k} {v:.1f}" for k, v in self.cpu.items())
        extra = f", {self.errors} errors" if self.errors else ""
        extra += f", {self.inflight} unanswered" if self.inflight and self.paced else ""
        extra += ", ran out of open tasks: raise --cases" if self.exhausted else ""
        lag = f", send lag max {self.maxlag:.0f} ms ({self.late} > 5 ms)" if self.maxlag else ""
        return (
            f"{self.label:42} {self.ok:6d} ok {self.rate:7.1f} req/s  p50 {self.pct(0.5):6.1f}  "
            f"p95 {self.pct(0.95):6.1f}  p99 {self.pct(0.99):6.1f} ms  CPU ms/req {cpu}{extra}{lag}"
        )


def wrk(
    label: str,
    targets: Path,
    offset: int,
    *,
    seconds: float,
    connections: int,
    threads: int,
    rate: float = 0.0,
    cycle: bool = False,
    watch: dict[str, list[int]],
) -> Phase:
    """Run wrk with bench/cases_wrk.lua: closed loop (rate 0) or paced at `rate` for `seconds`
    (plus a grace period for the answers still on their way)."""
    out = targets.with_suffix(f".{label.split()[0]}.{offset}.out")
    t0 = time.monotonic() + 1.0  # the paced schedule starts once every connection is up
    wall0 = time.time() - time.monotonic()  # T0 as wall-clock time, for the timeline of stalls
    duration = int(seconds) + (6 if rate else 0)
    args = ["paced" if rate else "closed", str(targets), str(out), str(offset), str(threads)]
    args += [f"{rate:.3f}", str(seconds), f"{t0:.6f}", "1" if cycle else "0", "1" if CLOSE else "0"]
    if "postgres" in watch:
        watch["postgres"] = _backends(URL_DB)
    before = {k: _cpu_ticks(p) for k, p in watch.items()}
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    cmd = ["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{duration}s", "--timeout", "30s"]
    cmd += ["-s", str(ROOT / "bench" / "cases_wrk.lua"), URL, "--", *args]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if proc.returncode:
        raise SystemExit(f"wrk failed: {proc.stdout}{proc.stderr}")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    tick = 1000 / os.sysconf("SC_CLK_TCK")
    cpu = {k: _cpu_delta(before[k], _cpu_ticks(p)) * tick for k, p in watch.items()}
    cpu["wrk"] = (after.ru_utime + after.ru_stime - children.ru_utime - children.ru_stime) * 1000
    return Phase(label, out, seconds, cpu, paced=bool(rate), wall0=wall0 + t0)


def main() -> None:
    if len(sys.argv) < 2 or not sys.argv[1].startswith("postgres"):
        sys.exit(__doc__)
    if shutil.which("wrk") is None:
        sys.exit("wrk is needed: apt-get install wrk")
    n_cases, seconds, runs = _arg("--cases", 3000), _arg("--seconds", 10), _arg("--runs", 3)
    workers, threads, conns = _arg("--workers", WORKERS), _arg("--threads", THREADS), _arg("--connections", 8)
    env = {
        **os.environ,
        "DATABASE_URL": sys.argv[1],
        "DJANGO_SETTINGS_MODULE": "bench.cases_settings",
        "PYTHONPATH": str(ROOT),
        # gunicorn.conf.py: connections reach a worker only with their request (TCP_DEFER_ACCEPT);
        # --no-defer-accept measures without it, for the comparison in docs/performance.md
        "XIAONENG_DEFER_ACCEPT": "0" if "--no-defer-accept" in sys.argv else "5",
    }
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    global URL_DB
    URL_DB = sys.argv[1]
    pairs = setup(n_cases)
    print(f"{len(pairs)} open step tasks", flush=True)
    server = [str(ROOT / ".venv/bin/gunicorn"), "-w", str(workers), "-k", "gthread", "--threads", str(threads)]
    server += ["--keep-alive", "10", "-b", f"{HOST}:{PORT}", "--log-level", "warning", "config.wsgi"]
    gunicorn = subprocess.Popen(server, cwd=ROOT, env=env, start_new_session=True)
    tmp = Path(tempfile.mkdtemp(prefix="xn-bench-cases-"))
    results: list[tuple[tuple[float, float], list[Phase]]] = []
    try:
        wait_port()
        sessions = {u: login(u) for u in sorted({u for _c, _t, u in pairs})}
        bare_file, op_file = tmp / "bare.txt", tmp / "opinion.txt"
        bare_file.write_text("".join(_line("/bench/insert/", c, "{}") for c in sessions.values()))
        body = json.dumps({"kind": "agree"})
        lines = [_line(f"/api/cases/{c}/tasks/{t}/opinion", sessions[u], body) for c, t, u in pairs]
        op_file.write_text("".join(lines))
        import django.db

        django.db.connections.close_all()
        watch = {"gunicorn": [*_children(gunicorn.pid), gunicorn.pid]}
        run = functools.partial(wrk, threads=2, watch=watch)
        # warm up every worker (router import, calendar load) on both paths: not measured; the
        # opinions of the warm-up also fill the staggered pipeline up to its steady mix
        run("warm bare", bare_file, 0, seconds=3, cycle=True, connections=conns)
        offset = run("warm opinion", op_file, 0, seconds=5, connections=conns).maxidx + 1
        offset = max(offset, 6 * STRIDE)
        watch["postgres"] = []  # the backends serving gunicorn, listed again before each phase
        for _run in range(runs):
            load0 = os.getloadavg()
            # saturation, interleaved: SLICES alternating slices of each, so that both endpoints see
            # the same share of whatever else the machine is doing (other processes come and go)
            bares, sats = [], []
            for _slice in range(SLICES):
                bares.append(
                    run("bare", bare_file, 0, seconds=max(1, seconds // SLICES), cycle=True, connections=conns)
                )
                sats.append(run("opinion", op_file, offset, seconds=max(1, seconds // SLICES), connections=conns))
                offset = max(offset, sats[-1].maxidx + 1)
            bare = Phase.merge("bare INSERT view, saturated", bares)
            sat = Phase.merge("case opinion, saturated", sats)
            rate = bare.rate / 3
            paced_conns = max(conns, 64)
            paced = run(
                f"case opinion at {rate:.1f} req/s (1/3 of bare)",
                op_file,
                offset,
                seconds=seconds,
                rate=rate,
                connections=paced_conns,
            )
            offset = paced.maxidx + 1
            load1 = os.getloadavg()
            results.append(((load0[0], load1[0]), [bare, sat, paced]))
            print(f"load average {load0[0]:.1f} → {load1[0]:.1f}", flush=True)
            for ph in (bare, sat, paced):
                print("  " + ph.row(), flush=True)
            if paced.timeline:
                walls = sorted(t[2] for t in paced.timeline)
                cpus = sorted(t[3] for t in paced.timeline)
                w50, w95, c50, c95 = (
                    xs[int(len(xs) * q)] for xs, q in ((walls, 0.5), (walls, 0.95), (cpus, 0.5), (cpus, 0.95))
                )
                print(
                    f"    paced, in Django: wall p50 {w50:.1f} p95 {w95:.1f} max {walls[-1]:.0f} ms; "
                    f"CPU p50 {c50:.1f} p95 {c95:.1f} max {cpus[-1]:.0f} ms",
                    flush=True,
                )
            for stall in paced.stalls():
                print("    stall " + stall, flush=True)
            print(
                f"  ratio {sat.rate / bare.rate:.2f} (target ≥ 0.33), p95 at 1/3 of bare {paced.pct(0.95):.1f} ms "
                f"(target < 100 ms): {_verdict(bare, sat, paced, rate)}",
                flush=True,
            )
    finally:
        os.killpg(gunicorn.pid, signal.SIGTERM)
        gunicorn.wait(timeout=20)
        shutil.rmtree(tmp, ignore_errors=True)
    if "--write" in sys.argv:
        _write(results, workers, threads, conns)


def _verdict(bare: Phase, sat: Phase, paced: Phase, rate: float) -> str:
    enough = paced.ok >= rate * paced.seconds * 0.95 and not paced.exhausted
    met = sat.rate >= bare.rate / 3 and paced.pct(0.95) < 100 and enough and not paced.errors
    return "met" if met else "**missed**"


def _backends(url: str) -> list[int]:
    """The PostgreSQL backends serving the benchmark's database (gunicorn keeps its connections)."""
    db = url.rsplit("/", 1)[1]
    out = subprocess.run(
        [
            "psql",
            url.rsplit("/", 1)[0] + "/postgres",
            "-Atc",
            f"SELECT pid FROM pg_stat_activity WHERE datname = '{db}'",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return [int(p) for p in out.split()]


def _write(results: list[tuple[tuple[float, float], list[Phase]]], workers: int, threads: int, conns: int) -> None:
    when = time.strftime("%Y-%m-%d %H:%M")
    machine = f"{os.cpu_count()} cores, gunicorn {workers}×{threads} gthread, wrk {conns} connections"
    lines = []
    for (l0, l1), (bare, sat, paced) in results:
        lines.append(
            f"| {when} | {machine}, load {l0:.1f} → {l1:.1f} | {bare.rate:.0f} (p95 {bare.pct(0.95):.0f}) | "
            f"{sat.rate:.0f} (p95 {sat.pct(0.95):.0f}) | {sat.rate / bare.rate:.2f} | "
            f"{paced.rate:.0f}: p50 {paced.pct(0.5):.0f}, p95 **{paced.pct(0.95):.0f}**, p99 {paced.pct(0.99):.0f} |"
        )
    path = ROOT / "docs" / "performance.md"
    text = path.read_text(encoding="utf-8")
    marker = "<!-- bench/cases.py --write appends here -->"
    if marker in text:
        text = text.replace(marker, "\n".join(lines) + "\n" + marker)
        path.write_text(text, encoding="utf-8")
    else:
        print("\n".join(lines))


if __name__ == "__main__":
    main()
