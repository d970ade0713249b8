"""The supervision scan (SUP-1): raise alerts for every clock whose next threshold has passed, and
escalate alerts nobody acknowledged in time.

Incremental: it reads only clocks with `next_alert_at <= now` (a partial index), in batches ordered by
`next_alert_at`, so its cost follows the number of new alerts, not the number of open clocks.
Idempotent: the database holds one alert per (clock, level); rows are inserted with
ON CONFLICT DO NOTHING and only rows this run actually created get events, notifications,
rectifications and recommendations. Safe with two schedulers at once: on PostgreSQL each batch locks
its clocks with SKIP LOCKED, so two runs share the work; on SQLite writers are serialised.
Resumable: all state lives in the rows (a crashed batch rolls back and the next run finds the same
clocks again).

Two paths raise the same alerts (tests/test_scan_paths.py compares them on PostgreSQL):
- "sql", the default on PostgreSQL: per batch ONE statement locks the due clocks, inserts the
  alerts of every level they passed (INSERT … SELECT … ON CONFLICT DO NOTHING RETURNING: exactly
  the rows this run created) and moves the clocks' alert level and next instant; the events are
  then hash-chained in Python and written with COPY, one digest notification per department;
- "orm", the portable path (SQLite): the same steps with the ORM, the created rows found by the
  run's `scan_token`.
"""

from __future__ import annotations

__all__ = ["Raised", "ScanResult", "escalate_due", "scan"]

import functools
import logging
import uuid
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, NamedTuple

from django.db import connection, transaction
from django.db.models import DateTimeField, IntegerField
from django.utils import timezone
from django.utils.translation import gettext as _

from xiaoneng.core.actors import SYSTEM
from xiaoneng.core.services import notify, tracking_number_next
from xiaoneng.core.trail import EventEntry, events_append_many, events_append_new_rows
from xiaoneng.orgs.choices import Role
from xiaoneng.orgs.models import Department, Region, User
from xiaoneng.oversight.selectors import region_ancestor_paths
from xiaoneng.oversight.services import rectification_open
from xiaoneng.supervision.alerts.escalation import acknowledge_deadline, escalation_policy
from xiaoneng.supervision.alerts.services import alerts_lift_met
from xiaoneng.supervision.alerts.thresholds import DEFAULT_POLICY, policies_by_tenant, policy_for
from xiaoneng.supervision.choices import AlertStatus, Escalation, Level
from xiaoneng.supervision.models import Alert, Recommendation
from xiaoneng.workdays.choices import ClockStatus
from xiaoneng.workdays.escalation import Audience, Track
from xiaoneng.workdays.ladder import (
    SQL,
    AlertLevel,
    level_expression,
    next_alert_expression,
    passed_rungs,
    raised_level,
    rungs_values_sql,
    sql_text,
)
from xiaoneng.workdays.models import Clock
from xiaoneng.workdays.services import clock_next_alert_at

log = logging.getLogger(__name__)

# A red alert opens a rectification (architecture: the third spine) — except on a rectification's own
# clock: an overdue rectification escalates instead of opening a rectification of itself.
NO_RECTIFICATION_KINDS = ("oversight.",)

# clocks per batch: each batch is one transaction holding its clocks' row locks
SQL_BATCH = 10000
ORM_BATCH = 1000


@dataclass
class ScanResult:
    clocks: int = 0
    alerts: int = 0
    escalated: int = 0
    lifted: int = 0
    rectifications: int = 0
    recommendations: int = 0


def _lock_kwargs() -> dict[str, Any]:
    if connection.vendor == "postgresql":
        return {"skip_locked": True, "of": ("self",)}
    return {}


class Raised(NamedTuple):
    """One alert a run created, with what the follow-up needs of its clock (both paths give these)."""

    id: int
    clock_id: int
    level: int
    tenant_id: int
    department_id: int | None
    region_id: int
    threshold_at: datetime
    escalate_at: datetime | None
    label: str
    responsible_id: int | None
    kind: str
    due_date: date | None
    statutory_due_date: date | None


class _Places:
    """Departments, regions and the people to notify for one batch: a fixed number of queries."""

    def __init__(self, department_ids: set[int], tenant_ids: set[int]) -> None:
        self.depts = {
            d["pk"]: d
            for d in Department.objects.filter(pk__in=department_ids).values("pk", "name", "region_id", "region__path")
        }
        self.tenants = {r.pk: r for r in Region.objects.filter(pk__in=tenant_ids)}
        heads: dict[int, list[int]] = defaultdict(list)
        for uid, did in User.objects.filter(
            role=Role.DEPT_HEAD, is_active=True, department_id__in=department_ids
        ).values_list("pk", "department_id"):
            heads[did].append(uid)
        self.heads = heads
        offices: dict[str, list[int]] = defaultdict(list)
        for uid, path in User.objects.filter(
            role=Role.SUPERVISOR, is_active=True, tenant_id__in=tenant_ids
        ).values_list("pk", "region__path"):
            offices[path].append(uid)
        self.offices = offices

    def region_of(self, department_id: int | None, tenant_id: int) -> tuple[int, str]:
        d = self.depts.get(department_id or 0)
        if d is not None:
            return d["region_id"], d["region__path"]
        tenant = self.tenants[tenant_id]
        return tenant.pk, tenant.path

    def supervisors_over(self, path: str) -> list[int]:
        return [uid for p in region_ancestor_paths(path) for uid in self.offices.get(p, [])]


def _users(ids: set[int]) -> list[User]:
    # notify() only needs objects with a pk
    return [User(pk=i) for i in sorted(ids)]


def _update_clocks(clocks: list[Clock]) -> None:
    Clock.objects.bulk_update(clocks, ["alert_level", "next_alert_at"], batch_size=1000)


def _raise_batch_orm(*, now: datetime, token: str, batch_size: int, result: ScanResult) -> int:
    """The portable path (SQLite): lock a batch of due clocks, build the alert rows in Python,
    insert them ignoring conflicts, then read back the rows this run created (by `scan_token`)."""
    with transaction.atomic():
        clocks = list(
            Clock.objects.filter(next_alert_at__lte=now, status=ClockStatus.RUNNING)
            .order_by("next_alert_at", "id")
            .select_for_update(**_lock_kwargs())[:batch_size]
        )
        if not clocks:
            return 0
        places = _Places({c.department_id for c in clocks if c.department_id}, {c.tenant_id for c in clocks})
        ack_cache: dict[int, datetime] = {}
        new: list[Alert] = []
        for clock in clocks:
            passed = passed_rungs(clock, clock.alert_level, now)  # LAD-RAISE (SUP-1)
            region_id, _path = places.region_of(clock.department_id, clock.tenant_id)
            top = max((lvl for lvl, _at in passed), default=0)
            for lvl, at in passed:
                escalate_at = None
                if lvl == top and lvl >= AlertLevel.YELLOW:
                    policy = policy_for(clock.tenant_id, clock.kind)
                    escalate_at = acknowledge_deadline(now, policy.acknowledge_days, ack_cache)  # ESC-ACK
                new.append(
                    Alert(
                        tenant_id=clock.tenant_id,
                        clock_id=clock.pk,
                        level=lvl,
                        department_id=clock.department_id,
                        region_id=region_id,
                        raised_at=now,
                        threshold_at=at,
                        escalate_at=escalate_at,
                        scan_token=token,
                    )
                )
            clock.alert_level = raised_level(clock, clock.alert_level, now)
            clock.next_alert_at = clock_next_alert_at(clock)  # LAD-NEXT
        Alert.objects.bulk_create(new, ignore_conflicts=True, batch_size=2000)
        _update_clocks(clocks)
        by_clock = {c.pk: c for c in clocks}
        raised = [
            Raised(
                a.pk,
                a.clock_id,
                a.level,
                a.tenant_id,
                a.department_id,
                a.region_id,
                a.threshold_at,
                a.escalate_at,
                by_clock[a.clock_id].label,
                by_clock[a.clock_id].responsible_id,
                by_clock[a.clock_id].kind,
                by_clock[a.clock_id].due_date,
                by_clock[a.clock_id].statutory_due_date,
            )
            for a in Alert.objects.filter(clock_id__in=list(by_clock), scan_token=token).order_by("clock_id", "level")
        ]
        result.clocks += len(clocks)
        result.alerts += len(raised)
        if raised:
            _after_raise(raised=raised, now=now, result=result)
        return len(clocks)


# PostgreSQL: one statement per batch locks the due clocks (SKIP LOCKED), derives the levels they
# passed, inserts those alerts (ON CONFLICT DO NOTHING … RETURNING: exactly the rows this run
# created), and stores each clock's new level and next instant, as the ORM path does in Python:
# level = max(level, highest passed), next = the first instant above it — the ladder's own SQL
# (workdays.ladder: LAD-REACH, LAD-RAISE, LAD-NEXT), compiled once against this statement's aliases.
# The acknowledgement deadline of the highest new yellow-or-above alert comes from the longest
# matching threshold policy of the clock's jurisdiction (thresholds.policy_for), handed in as arrays.
# No CTE is joined to another CTE: their row estimates are guesses, and a nested loop between two
# 5,000-row CTEs is 25 million comparisons; every join here is to a table by its primary key.
_RAISE_SQL = """
WITH due AS (
    SELECT id, tenant_id, department_id, kind, alert_level, remind_at, warn_at, red_at, statutory_due_at
    FROM {clock}
    WHERE next_alert_at <= %(now)s AND status = %(running)s
    ORDER BY next_alert_at, id
    LIMIT %(batch)s
    FOR UPDATE SKIP LOCKED
),
lv AS (
    SELECT d.*, GREATEST(d.alert_level, {reached}) AS new_level
    FROM due AS d
),
ins AS (
    INSERT INTO {alert} (tenant_id, created_at, updated_at, clock_id, level, department_id, region_id,
        raised_at, threshold_at, status, explanation, escalation, escalate_at, scan_token)
    SELECT v.tenant_id, %(wall)s, %(wall)s, v.id, l.level, v.department_id,
        COALESCE(dep.region_id, v.tenant_id), %(now)s, l.at, %(raised)s, '', 0,
        CASE WHEN l.level = v.new_level AND l.level >= 2 THEN COALESCE(
            (SELECT q.deadline
             FROM unnest(%(pol_tenant)s::bigint[], %(pol_prefix)s::text[], %(pol_deadline)s::timestamptz[])
                 AS q(tenant_id, prefix, deadline)
             WHERE q.tenant_id = v.tenant_id AND starts_with(v.kind, q.prefix)
             ORDER BY length(q.prefix) DESC LIMIT 1),
            %(ack_default)s) END,
        %(token)s
    FROM lv AS v
    CROSS JOIN LATERAL (VALUES {rungs}) AS l(level, at)
    LEFT JOIN {dept} AS dep ON dep.id = v.department_id
    WHERE l.level > v.alert_level AND l.at IS NOT NULL AND l.at <= %(now)s
    ORDER BY v.id, l.level
    ON CONFLICT DO NOTHING
    RETURNING id, clock_id, level, tenant_id, department_id, region_id, threshold_at, escalate_at
),
upd AS (
    UPDATE {clock} AS k
    SET alert_level = v.new_level, next_alert_at = {next_alert}
    FROM lv AS v
    WHERE k.id = v.id
    RETURNING k.id
)
SELECT (SELECT count(*) FROM upd), i.id, i.clock_id, i.level, i.tenant_id, i.department_id, i.region_id,
       i.threshold_at, i.escalate_at, c.label, c.responsible_id, c.kind, c.due_date, c.statutory_due_date
FROM (SELECT 1) AS one
LEFT JOIN ins AS i ON true
LEFT JOIN {clock} AS c ON c.id = i.clock_id
ORDER BY i.clock_id, i.level
"""


@functools.cache
def _raise_sql() -> str:
    def col(prefix: str) -> Callable[[str], SQL]:
        return lambda f: SQL(prefix + f, DateTimeField())

    now = SQL("%(now)s", DateTimeField())
    reached, p1 = sql_text(level_expression(now, col=col("d.")))
    next_alert, p2 = sql_text(next_alert_expression(SQL("v.new_level", IntegerField()), col=col("v.")))
    if p1:
        raise RuntimeError("invariant: not p1")
    if p2:
        raise RuntimeError("invariant: not p2")
    return _RAISE_SQL.format(
        clock=Clock._meta.db_table,
        alert=Alert._meta.db_table,
        dept=Department._meta.db_table,
        reached=reached,
        rungs=rungs_values_sql(lambda f: "v." + f),
        next_alert=next_alert,
    )


def _policy_arrays(now: datetime, cache: dict[int, datetime]) -> dict[str, Any]:
    tenants: list[int] = []
    prefixes: list[str] = []
    deadlines: list[datetime] = []
    for tenant_id, policies in policies_by_tenant().items():
        for p in policies:
            tenants.append(tenant_id)
            prefixes.append(p.kind_prefix)
            deadlines.append(acknowledge_deadline(now, p.acknowledge_days, cache))  # ESC-ACK
    return {
        "pol_tenant": tenants,
        "pol_prefix": prefixes,
        "pol_deadline": deadlines,
        "ack_default": acknowledge_deadline(now, DEFAULT_POLICY.acknowledge_days, cache),
    }


def _raise_batch_sql(
    *, now: datetime, token: str, batch_size: int, result: ScanResult, policies: dict[str, Any]
) -> int:
    sql = _raise_sql()
    params = {
        "now": now,
        "wall": timezone.now(),
        "running": ClockStatus.RUNNING.value,
        "raised": AlertStatus.RAISED.value,
        "batch": batch_size,
        "token": token,
        **policies,
    }
    with transaction.atomic():
        with connection.cursor() as c:
            c.execute(sql, params)
            rows = c.fetchall()
        clocks: int = rows[0][0]  # the count the statement returns in its first column
        raised = [Raised(*r[1:]) for r in rows if r[1] is not None]
        result.clocks += clocks
        result.alerts += len(raised)
        if raised:
            _after_raise(raised=raised, now=now, result=result)
        return clocks


def _after_raise(*, raised: list[Raised], now: datetime, result: ScanResult) -> None:
    places = _Places({a.department_id for a in raised if a.department_id}, {a.tenant_id for a in raised})
    events_append_new_rows(
        model=Alert,
        action="alert.raised",
        rows=[
            (
                a.id,
                a.tenant_id,
                # what core.trail's _jsonable makes of {"threshold_at": <datetime>, …}
                {
                    "clock": a.clock_id,
                    "department": a.department_id,
                    "level": a.level,
                    "status": AlertStatus.RAISED.value,
                    "threshold_at": str(a.threshold_at.astimezone(UTC)),
                },
            )
            for a in raised
        ],
    )
    # one digest per department (and per supervising office for red alerts) per batch, not one
    # message per alert
    per_dept: dict[int | None, list[Raised]] = defaultdict(list)
    for a in raised:
        per_dept[a.department_id].append(a)
    for dept_id, alerts in per_dept.items():
        recipients = set(places.heads.get(dept_id or 0, [])) | {a.responsible_id for a in alerts if a.responsible_id}
        reds = [a for a in alerts if a.level >= AlertLevel.RED]
        dept_name = places.depts[dept_id]["name"] if dept_id in places.depts else ""
        counts = "、".join(
            _("%(level)s%(n)d项") % {"level": Level(lvl).label, "n": sum(1 for a in alerts if a.level == lvl)}
            for lvl in sorted({a.level for a in alerts})
        )
        labels = list({a.clock_id: a.label for a in alerts}.values())  # one line per clock
        body = "\n".join(labels[:20])
        if len(labels) > 20:
            body += "\n" + _("……等%(n)d项") % {"n": len(labels)}
        notify(
            recipients=_users(recipients),
            title=_("时限预警：%(counts)s") % {"counts": counts},
            body=body,
            url="/supervision/alerts/?status=open",
            channels=("inbox", "email"),
        )
        if reds:
            _rid, path = places.region_of(alerts[0].department_id, alerts[0].tenant_id)
            red_labels = list({a.clock_id: a.label for a in reds}.values())
            notify(
                recipients=_users(set(places.supervisors_over(path))),
                title=_("%(dept)s新增红牌预警%(n)d项") % {"dept": dept_name, "n": len(reds)},
                body="\n".join(red_labels[:20]),
                url="/supervision/alerts/?level=3&status=open",
                channels=("inbox", "email"),
            )
    _open_rectifications(raised=raised, result=result)
    _issue_recommendations(raised=raised, places=places, now=now, result=result)


def _open_rectifications(*, raised: list[Raised], result: ScanResult) -> None:

    first_red: dict[int, Raised] = {}
    for a in raised:
        if a.level >= AlertLevel.RED and a.clock_id not in first_red:
            first_red[a.clock_id] = a
    depts = Department.objects.in_bulk({a.department_id for a in first_red.values() if a.department_id})
    for alert in first_red.values():
        if alert.kind.startswith(NO_RECTIFICATION_KINDS) or alert.department_id is None:
            continue
        rectification_open(
            department=depts[alert.department_id],
            title=_("超期整改：%(label)s") % {"label": alert.label[:150]},
            problem=_("“%(label)s”已超过承诺时限（到期日 %(due)s），由电子监察红牌预警自动开具。")
            % {"label": alert.label, "due": alert.due_date},
            owner=None,
            source=Alert(pk=alert.id),
            actor=SYSTEM,  # opened by the scan itself
        )
        result.rectifications += 1


def _issue_recommendations(*, raised: list[Raised], places: _Places, now: datetime, result: ScanResult) -> None:
    rows = []
    for a in raised:
        if a.level != AlertLevel.STATUTORY:
            continue
        dept = places.depts.get(a.department_id or 0)
        rows.append(
            Recommendation(
                tenant_id=a.tenant_id,
                alert_id=a.id,
                department_id=a.department_id,
                number=tracking_number_next(tenant=places.tenants[a.tenant_id], prefix="JCJY"),
                issued_at=now,
                text=_(
                    "%(dept)s：“%(label)s”已超过法定时限（法定到期日 %(due)s）。建议立即办结，查明超期原因，"
                    "追究相关人员责任，并在收到本建议书之日起15个工作日内书面报告整改情况。"
                )
                % {"dept": dept["name"] if dept else "", "label": a.label, "due": a.statutory_due_date},
            )
        )
    if rows:
        Recommendation.objects.bulk_create(rows)
        result.recommendations += len(rows)


def escalate_due(*, now: datetime, batch_size: int = 1000) -> int:
    """Escalate alerts not acknowledged in time: first to the department head, then to the
    efficiency office (效能办) of the region and above. Incremental on the `escalate_at` index."""
    total = 0
    while True:
        with transaction.atomic():
            alerts = list(
                Alert.objects.filter(escalate_at__lte=now, status__in=[AlertStatus.RAISED, AlertStatus.ESCALATED])
                .order_by("escalate_at", "id")
                .select_for_update(**_lock_kwargs())[:batch_size]
            )
            if not alerts:
                return total
            clocks = Clock.objects.in_bulk({a.clock_id for a in alerts})
            places = _Places({a.department_id for a in alerts if a.department_id}, {a.tenant_id for a in alerts})
            ack_cache: dict[int, datetime] = {}
            entries = []
            for a in alerts:
                clock = clocks[a.clock_id]
                before = {"status": a.status, "escalation": a.escalation}
                # who and when: the one escalation policy (ESC-ACK, ESC-CHAIN), shared with complaints
                decision = escalation_policy(
                    track=Track.UNACKNOWLEDGED,
                    tenant_id=a.tenant_id,
                    kind=clock.kind,
                    since=a.escalate_at or now,
                    step=a.escalation,
                    now=now,
                    has_department=a.department_id is not None,
                    cache=ack_cache,
                )
                a.escalation = decision.step
                a.status = AlertStatus.ESCALATED
                a.updated_at = now
                a.escalate_at = decision.next_at
                entries.append(
                    EventEntry(
                        subject=a,
                        action="alert.escalated",
                        before=before,
                        after={"status": a.status, "escalation": a.escalation},
                        reason=str(_("逾期未签收，自动升级督办。")),
                    )
                )
                if decision.audience == Audience.DEPT_HEAD:
                    recipients = set(places.heads.get(a.department_id or 0, []))
                else:  # Audience.OFFICES_UP
                    recipients = set(places.supervisors_over(places.region_of(clock.department_id, clock.tenant_id)[1]))
                notify(
                    recipients=_users(recipients),
                    title=_("预警逾期未签收，已升级督办：%(label)s") % {"label": clock.label},
                    body=str(Escalation(a.escalation).label),
                    url=f"/supervision/alerts/{a.pk}/",
                    channels=("inbox", "email"),
                )
            Alert.objects.bulk_update(alerts, ["escalation", "status", "escalate_at", "updated_at"])
            events_append_many(entries=entries)
            total += len(alerts)
        if len(alerts) < batch_size:
            return total


def scan(*, now: datetime | None = None, batch_size: int | None = None, method: str | None = None) -> ScanResult:
    """Raise every alert that is due at `now` (default: the current time), then escalate. Returns
    what this run did (another run at the same time does the rest). `method` is "sql" (one
    statement per batch, PostgreSQL, the default there) or "orm" (the portable path, the default
    elsewhere); both raise the same alerts with the same events and notifications."""
    now = now or timezone.now()
    method = method or ("sql" if connection.vendor == "postgresql" else "orm")
    if method == "sql" and connection.vendor != "postgresql":
        raise ValueError("the set-based scan needs PostgreSQL")
    size = batch_size or (SQL_BATCH if method == "sql" else ORM_BATCH)
    token = uuid.uuid4().hex
    result = ScanResult()
    policies = _policy_arrays(now, {}) if method == "sql" else {}
    while True:
        if method == "sql":
            n = _raise_batch_sql(now=now, token=token, batch_size=size, result=result, policies=policies)
        else:
            n = _raise_batch_orm(now=now, token=token, batch_size=size, result=result)
        if n < size:
            break
    # alerts of obligations met on time are closed first: they are never escalated
    result.lifted = alerts_lift_met(now=now, batch_size=batch_size or ORM_BATCH)
    result.escalated = escalate_due(now=now, batch_size=batch_size or ORM_BATCH)
    if result.alerts or result.escalated or result.lifted:
        log.info("supervision scan: %s", result)
    return result
