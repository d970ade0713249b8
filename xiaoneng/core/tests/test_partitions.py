"""The Event trail partitioned by month on PostgreSQL (issue 14, core.partitions, migration 0006):
events land in their month, a month without a partition is caught by the default partition and moved
out by the daily job, one seq per subject still holds across months, every query of the trail still
uses an index, the chains and anchors verify, and the migration goes back and forth with every row."""

from __future__ import annotations

import threading
import time
from datetime import UTC, date, datetime
from io import StringIO
from typing import Any
from unittest import mock

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, connection, connections, transaction
from django.db.migrations.executor import MigrationExecutor

from xiaoneng.core.models import Event, EventHead
from xiaoneng.core.partitions import (
    DEFAULT_PARTITION,
    event_partitions,
    event_partitions_ensure,
    event_table_partitioned,
)
from xiaoneng.core.schedule import periodic_tasks
from xiaoneng.core.trail import (
    EventEntry,
    event_append,
    events_append_many,
    events_append_new_subjects,
    trail_anchor_record,
    trail_anchor_verify,
    trail_batch,
    trail_heads_verify,
    trail_verify,
)

pytestmark = [pytest.mark.postgres]


@pytest.fixture(autouse=True)
def _postgresql_only() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("partitioning is PostgreSQL's (SQLite keeps one core_event table)")


def _partition_of(event: Event) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT tableoid::regclass::text FROM core_event WHERE id = %s", [event.pk])
        return str(cursor.fetchone()[0])


def _at(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> Any:
    """Append events as if it were that moment, given in UTC (Beijing time is 8 hours ahead)."""
    return mock.patch("django.utils.timezone.now", return_value=datetime(year, month, day, hour, minute, tzinfo=UTC))


@pytest.mark.django_db
def test_an_event_lands_in_its_months_partition(world):
    # given the migrated trail with the months of November and December 2026
    assert event_table_partitioned()
    event_partitions_ensure(today=date(2026, 11, 1))
    # when events are appended in December and in the last minute of November, Beijing time
    with _at(2026, 12, 5, 9):
        december = event_append(subject=world.dept, action="dept.renamed")
    with _at(2026, 11, 30, 15, 59):  # 23:59 on 30 Nov in Beijing
        november = event_append(subject=world.other_dept, action="dept.renamed")
    # then each is in the partition of its Beijing month
    assert _partition_of(december) == "core_event_y2026m12"
    assert _partition_of(november) == "core_event_y2026m11"


@pytest.mark.django_db
def test_a_month_without_partition_is_kept_then_moved_into_its_month(world):
    # given events of a month far ahead, with no partition yet
    with _at(2031, 5, 10):
        first = event_append(subject=world.dept, action="dept.renamed", after={"name": "甲"})
        second = event_append(subject=world.dept, action="dept.renamed", after={"name": "乙"})
    # then they are not refused but kept in the default partition
    assert _partition_of(first) == DEFAULT_PARTITION
    # when the daily job runs
    created = event_partitions_ensure(today=date(2026, 12, 5))
    # then the month is created and its rows moved there with their ids and chain
    assert "core_event_y2031m05" in created
    assert [_partition_of(first), _partition_of(second)] == ["core_event_y2031m05"] * 2
    assert list(Event.objects.for_subject(world.dept).values_list("pk", "seq")) == [(first.pk, 1), (second.pk, 2)]
    assert list(trail_verify()) == []
    # and a second run has nothing to do
    assert event_partitions_ensure(today=date(2026, 12, 5)) == []


@pytest.mark.django_db
def test_the_coming_months_are_created_ahead(world):
    # when the job runs on 5 Dec 2026 looking six months ahead
    created = event_partitions_ensure(today=date(2026, 12, 5), months_ahead=6)
    # then every month through June 2027 has its partition (those the migration made are kept)
    names = {p.name for p in event_partitions()}
    assert {f"core_event_y2027m{m:02d}" for m in range(1, 7)} <= names
    assert set(created) <= names
    assert DEFAULT_PARTITION in names
    # and the listing reads them oldest first, the default last
    listed = event_partitions()
    assert listed[-1].month is None
    months = [p.month for p in listed[:-1] if p.month is not None]
    assert months == sorted(months)
    assert len(months) == len(listed) - 1


@pytest.mark.django_db
def test_one_seq_per_subject_holds_within_a_month(world):
    # given a subject's first event
    with _at(2026, 12, 5):
        event_append(subject=world.dept, action="dept.created")
        # when another first event is written for it in the same month, then the chain trigger refuses it
        with pytest.raises(IntegrityError, match="core_event_unique_seq"), transaction.atomic():
            events_append_new_subjects(subjects=[world.dept], action="dept.imported")
    assert Event.objects.for_subject(world.dept).count() == 1


@pytest.mark.django_db
def test_one_seq_per_subject_holds_across_months(world):
    # given a subject's first event in December 2026
    with _at(2026, 12, 5):
        event_append(subject=world.dept, action="dept.created")
    event_partitions_ensure(today=date(2027, 3, 5))
    # when a writer with a stale seq writes seq 1 again in March 2027 (another partition), one row
    with _at(2027, 3, 5), pytest.raises(IntegrityError, match="core_event_unique_seq"), transaction.atomic():
        events_append_new_subjects(subjects=[world.dept], action="dept.imported")
    # or through COPY with other rows (the bulk path of the scan)
    with _at(2027, 3, 5), pytest.raises(IntegrityError, match="core_event_unique_seq"), transaction.atomic():
        events_append_new_subjects(subjects=[world.other_dept, world.dept], action="dept.imported")
    # then the chain trigger refuses it: one event, one chain
    assert Event.objects.for_subject(world.dept).count() == 1
    assert Event.objects.for_subject(world.other_dept).count() == 0
    # while the next seq in that month is accepted and chains on December's
    with _at(2027, 3, 5):
        later = event_append(subject=world.dept, action="dept.renamed")
    assert (later.seq, _partition_of(later)) == (2, "core_event_y2027m03")
    assert list(trail_verify()) == []


@pytest.mark.django_db
def test_chains_spanning_months_append_and_verify_on_every_path(world):
    event_partitions_ensure(today=date(2027, 2, 1))
    with _at(2026, 12, 20):
        event_append(subject=world.dept, action="a")
    with _at(2027, 1, 20), transaction.atomic(), trail_batch():
        event_append(subject=world.dept, action="b")
        event_append(subject=world.other_dept, action="b")
    with _at(2027, 2, 20):
        events_append_many(entries=[EventEntry(world.dept, "c"), EventEntry(world.other_dept, "c")])
    # then each subject's chain runs across three months without a gap
    chain = list(Event.objects.for_subject(world.dept).values_list("seq", "action"))
    assert chain == [(1, "a"), (2, "b"), (3, "c")]
    assert list(trail_verify()) == []
    # and the daily anchor seals them and verifies
    trail_anchor_record(day=date(2027, 2, 20))
    assert list(trail_anchor_verify()) == []


def _plan(sql: str, params: list[Any]) -> str:
    with transaction.atomic(), connection.cursor() as cursor:
        # with sequential scans priced out, a scan is only chosen when no index can serve the query
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        return "\n".join(r[0] for r in cursor.fetchall())


@pytest.mark.django_db
def test_every_query_of_the_trail_uses_an_index(world):
    event_partitions_ensure(today=date(2026, 11, 1), months_ahead=12)
    with _at(2026, 12, 5):
        event_append(subject=world.dept, action="a")
    ct = Event.objects.for_subject(world.dept).values_list("subject_type_id", flat=True).first()
    queries = {
        "one subject's trail": Event.objects.for_subject(world.dept).order_by("seq"),
        "a subject's newest link": Event.objects.filter(subject_type_id=ct, subject_id="1").order_by("-seq")[:1],
        "a jurisdiction's events in a month": Event.objects.filter(
            tenant_id=world.dept.tenant_id,
            at__gte=datetime(2026, 11, 30, 16, tzinfo=UTC),
            at__lt=datetime(2026, 12, 31, 16, tzinfo=UTC),
        ),
        "one action": Event.objects.filter(action="case.accepted"),
        "an anchor's range": Event.objects.filter(pk__gt=10, pk__lte=20).order_by("pk"),
        "the whole chain order (verify)": Event.objects.order_by("subject_type_id", "subject_id", "seq"),
        "one event": Event.objects.filter(pk=1),
    }
    for label, qs in queries.items():
        sql, params = qs.query.sql_with_params()
        plan = _plan(sql, list(params))
        assert "Seq Scan" not in plan, f"{label}:\n{plan}"
    # and a period's statistic reads only that period's month (partition pruning)
    sql, params = queries["a jurisdiction's events in a month"].query.sql_with_params()
    plan = _plan(sql, list(params))
    assert "core_event_y2026m12" in plan
    assert "core_event_y2027m01" not in plan
    assert DEFAULT_PARTITION not in plan


@pytest.mark.django_db
def test_the_command_lists_and_ensures(world):
    out = StringIO()
    call_command("trail_partitions", "--ensure", "--exact", stdout=out)
    text = out.getvalue()
    assert "core_event_default" in text
    assert f"core_event_y{date.today():%Y}m{date.today():%m}" in text


@pytest.mark.django_db
@pytest.mark.parametrize("ahead", ["-1", "37", "9999"])
def test_the_command_refuses_a_horizon_out_of_range(ahead):
    with pytest.raises(CommandError, match="from 0 to 36"):
        call_command("trail_partitions", "--ensure", "--months-ahead", ahead, stdout=StringIO())


def test_the_scheduler_creates_the_months_daily():
    jobs = {p.name: p for p in periodic_tasks()}
    assert jobs["core.trail_partitions"].every_seconds == 24 * 3600


def _migrate(target: list[tuple[str, str]] | None) -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(target if target is not None else executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_the_migration_goes_back_and_forth_with_every_row(world):
    with _at(2026, 6, 1):
        june = event_append(subject=world.dept, action="a")
    with _at(2026, 12, 5):
        event_append(subject=world.dept, action="b")
        event_append(subject=world.other_dept, action="c")
    ids = list(Event.objects.order_by("pk").values_list("pk", "hash"))
    try:
        # when migrating back to one plain table
        _migrate([("core", "0005_trail_anchor")])
        # then every row is kept and the unique constraint is back
        assert not event_table_partitioned()
        assert list(Event.objects.order_by("pk").values_list("pk", "hash")) == ids
        with pytest.raises(IntegrityError, match="core_event_unique_seq"), transaction.atomic():
            events_append_new_subjects(subjects=[world.dept], action="dup")
    finally:
        # and forward again
        _migrate(None)
    assert event_table_partitioned()
    assert list(Event.objects.order_by("pk").values_list("pk", "hash")) == ids
    assert _partition_of(june) == "core_event_y2026m06"
    # the heads are rebuilt from the chains, and the id sequence is past every row
    heads = dict(EventHead.objects.filter(subject_type_id=june.subject_type_id).values_list("subject_id", "seq"))
    assert heads == {str(world.dept.pk): 2, str(world.other_dept.pk): 1}
    assert EventHead.objects.count() == Event.objects.values("subject_type_id", "subject_id").distinct().count()
    after = event_append(subject=world.dept, action="d")
    assert (after.seq, after.pk > ids[-1][0]) == (3, True)
    assert list(trail_verify()) == []


@pytest.mark.django_db
def test_an_event_that_does_not_continue_its_chain_is_refused(world):
    with _at(2026, 12, 5):
        first = event_append(subject=world.dept, action="a")
        ct = first.subject_type_id

        def forged(**kw: Any) -> Event:
            fields: dict[str, Any] = {
                "tenant_id": first.tenant_id,
                "subject_type_id": ct,
                "subject_id": first.subject_id,
            }
            fields |= {"seq": 2, "at": first.at, "action": "x", "prev_hash": first.hash, "hash": "f" * 64}
            return Event(**(fields | kw))

        # a gap (seq 3 after 1), a repeat of seq 1 in another month, a link to the wrong hash
        for bad in (forged(seq=3), forged(prev_hash="0" * 64), forged(seq=1, at=datetime(2031, 1, 1, tzinfo=UTC))):
            with pytest.raises(IntegrityError, match="unique_seq"), transaction.atomic():
                bad.save(force_insert=True)
        # while the next link is accepted and moves the head
        forged().save(force_insert=True)
    assert EventHead.objects.get(subject_type_id=ct, subject_id=first.subject_id).seq == 2


@pytest.mark.django_db(transaction=True)
def test_two_writers_of_one_subject_cannot_fork_its_chain(world):
    """Without the subject's row lock (which every action takes), two appends racing on one subject:
    the second waits on the chain's head and is then refused; the chain stays one line."""
    event_append(subject=world.dept, action="a")
    inserted, release = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def first() -> None:
        try:
            with transaction.atomic():
                event_append(subject=world.dept, action="first")
                inserted.set()
                release.wait(10)
        finally:
            connections.close_all()

    def second() -> None:
        try:
            inserted.wait(10)
            with transaction.atomic():
                event_append(subject=world.dept, action="second")
        except IntegrityError as e:
            errors.append(e)
        finally:
            connections.close_all()

    a, b = threading.Thread(target=first), threading.Thread(target=second)
    a.start()
    b.start()
    inserted.wait(10)
    time.sleep(0.5)  # the second is now waiting on the head (or the month's index entry)
    release.set()
    a.join(20)
    b.join(20)
    assert len(errors) == 1
    assert list(Event.objects.for_subject(world.dept).values_list("seq", "action")) == [(1, "a"), (2, "first")]
    assert list(trail_verify()) == []


@pytest.mark.django_db
def test_a_deleted_tail_is_reported_by_the_heads(world):
    # given a chain of three events, and someone deleting its newest row outside the application
    events = [event_append(subject=world.dept, action=a) for a in ("a", "b", "c")]
    assert list(trail_heads_verify()) == []
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_event WHERE id = %s", [events[-1].pk])
    # then every link still verifies, but the chain's head is ahead of its end
    assert list(trail_verify()) == []
    (broken,) = trail_heads_verify()
    assert broken.problem == "the chain's head is #3 but its newest event is #2"
    # and manage.py verify_trail fails naming it
    out = StringIO()
    with pytest.raises(CommandError, match="broken link"):
        call_command("verify_trail", stdout=out)
    assert "the chain's head is #3" in out.getvalue()
