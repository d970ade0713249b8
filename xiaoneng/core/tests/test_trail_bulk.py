"""events_append_new_subjects: the first event of many new subjects in bulk, on the same hash chain
as event_append, so that verify_trail accepts them and later events chain on."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from xiaoneng.core.models import Event
from xiaoneng.core.trail import EventEntry, event_append, events_append_many, events_append_new_subjects, trail_verify

pytestmark = pytest.mark.django_db


def test_bulk_first_events_verify_and_later_events_chain_on(world):
    # given three departments that have no events yet
    subjects = [world.dept, world.other_dept, world.county_dept]
    # when their first events are appended in bulk
    events = events_append_new_subjects(
        subjects=subjects,
        action="dept.imported",
        actor=world.user("admin"),
        afters=[{"name": s.name, "行": i} for i, s in enumerate(subjects)],
        reason="批量导入",
    )
    # then each subject has one event at seq 1 with no predecessor, the actor and tenant recorded
    assert [(e.seq, e.prev_hash, e.actor_id) for e in events] == [(1, "", world.user("admin").pk)] * 3
    assert all(Event.objects.for_subject(s).count() == 1 for s in subjects)
    assert [e.tenant_id for e in events] == [s.tenant_id for s in subjects]
    # and a later event chains on the bulk one
    later = event_append(subject=subjects[0], action="dept.renamed", after={"name": "新名"})
    assert (later.seq, later.prev_hash) == (2, events[0].hash)
    # and verify_trail accepts the whole trail
    assert list(trail_verify()) == []
    out = StringIO()
    call_command("verify_trail", stdout=out)
    assert "trail intact" in out.getvalue()


def test_bulk_first_event_for_a_subject_that_already_has_one_is_refused(world):
    # given a subject with an event already
    event_append(subject=world.dept, action="dept.created")
    # when a "first" event is appended to it in bulk, then the chain cannot fork
    with pytest.raises(IntegrityError), transaction.atomic():
        events_append_new_subjects(subjects=[world.dept], action="dept.imported")
    assert Event.objects.for_subject(world.dept).count() == 1


def test_bulk_afters_must_match_subjects(world):
    with pytest.raises(ValueError, match="one to one"):
        events_append_new_subjects(subjects=[world.dept, world.other_dept], action="x", afters=[{}])


def test_events_append_many_chains_on_each_subjects_newest_link(world):
    """The scan's bulk path (issue 10: merged from supervision/eventlog.py into core.trail): one
    read of the subjects' newest links per model, one write, the chain event_append would build."""

    # given a subject with a chain of three, and one without events
    a, b = world.dept, world.other_dept
    chain = [event_append(subject=a, action="x.changed", after={"n": i}) for i in range(3)]
    # when two events of `a` and one of `b` are appended in bulk, interleaved
    entries = [
        EventEntry(subject=a, action="bulk.one", after={"名称": "中文"}),
        EventEntry(subject=b, action="bulk.first"),
        EventEntry(subject=a, action="bulk.two", before={"x": 1}, after={"x": 2}, reason="批量"),
    ]
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        assert events_append_many(entries=entries, actor=world.user("admin")) == 3
    # then one read and one write (a COPY on PostgreSQL, which the query log does not show)
    sql = [q["sql"] for q in queries.captured_queries if not q["sql"].startswith(("SAVEPOINT", "RELEASE"))]
    assert sum(s.startswith("SELECT") for s in sql) == 1
    assert len(sql) == (1 if connection.vendor == "postgresql" else 2)
    # and each chain continues from its newest link, in entry order
    a_events = list(Event.objects.for_subject(a).order_by("seq"))
    assert [e.action for e in a_events[-2:]] == ["bulk.one", "bulk.two"]
    assert a_events[-2].prev_hash == chain[-1].hash
    assert a_events[-1].prev_hash == a_events[-2].hash
    b_events = list(Event.objects.for_subject(b))
    assert [(e.seq, e.prev_hash) for e in b_events] == [(1, "")]
    assert list(trail_verify()) == []
    # and event_append chains on the bulk one
    assert event_append(subject=a, action="x.closed").prev_hash == a_events[-1].hash
