"""The Event trail (全程留痕): hash-chained per subject, append-only, tampering reported."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.db.transaction import TransactionManagementError
from django.test.utils import CaptureQueriesContext

from xiaoneng.core.models import Event
from xiaoneng.core.trail import event_append, trail_batch, trail_verify

pytestmark = pytest.mark.django_db


def _verify() -> str:
    out = StringIO()
    call_command("verify_trail", stdout=out)
    return out.getvalue()


def test_event_append_chains_hashes_per_subject(world):
    # given two subjects
    a, b = world.dept, world.other_dept
    # when events are appended to both, interleaved
    e1 = event_append(subject=a, action="dept.created", actor=world.user("admin"), after={"name": a.name})
    f1 = event_append(subject=b, action="dept.created")
    e2 = event_append(subject=a, action="dept.renamed", before={"name": "旧名"}, after={"name": a.name}, reason="更名")
    # then each subject has its own sequence, and each link points at its predecessor's hash
    assert (e1.seq, e2.seq, f1.seq) == (1, 2, 1)
    assert e1.prev_hash == ""
    assert f1.prev_hash == ""
    assert e2.prev_hash == e1.hash
    assert len({e1.hash, e2.hash, f1.hash}) == 3
    assert e1.tenant_id == a.tenant_id
    assert list(Event.objects.for_subject(a).values_list("seq", flat=True)) == [1, 2]
    assert list(trail_verify()) == []


def test_verify_trail_passes_on_an_intact_trail(world):
    # given a trail with several subjects and events
    for i in range(3):
        event_append(subject=world.dept, action="x.changed", after={"n": i, "名称": "中文"})
        event_append(subject=world.user("clerk"), action="user.changed", after={"n": i})
    total = Event.objects.count()  # the calendar seed's own events are in the trail too
    assert total >= 6
    # when / then
    assert f"trail intact: {total} events verified" in _verify()


def test_verify_trail_reports_a_row_edited_with_raw_sql(world):
    # given an intact trail of three events
    events = [event_append(subject=world.dept, action="x.changed", after={"n": i}) for i in range(3)]
    victim = events[1]
    # when someone edits the middle row directly in the database, bypassing the ORM guards
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {Event._meta.db_table} SET reason = %s WHERE id = %s", ["改过了", victim.pk])
    # then verify_trail fails and names that event
    out = StringIO()
    with pytest.raises(CommandError) as exc:
        call_command("verify_trail", stdout=out)
    assert str(victim.pk) in str(exc.value)
    assert f"BROKEN event id={victim.pk}" in out.getvalue()
    assert "content does not match its hash" in out.getvalue()


def test_verify_trail_reports_a_row_whose_hash_was_recomputed_but_chain_broken(world):
    # given three events, and a forger who rewrites the middle row's content AND its hash
    events = [event_append(subject=world.dept, action="x.changed", after={"n": i}) for i in range(3)]
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {Event._meta.db_table} SET hash = %s WHERE id = %s", ["0" * 64, events[1].pk])
    # when
    breaks = list(trail_verify())
    # then the edited row and the next link (whose prev_hash no longer matches) are both reported
    ids = {b.event_id for b in breaks}
    assert events[1].pk in ids
    assert events[2].pk in ids


def test_verify_trail_reports_a_row_deleted_with_raw_sql(world):
    # given three events on one subject
    events = [event_append(subject=world.dept, action="x.changed", after={"n": i}) for i in range(3)]
    # when the middle one is deleted directly in the database
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {Event._meta.db_table} WHERE id = %s", [events[1].pk])
    # then the gap is reported at the event after it
    out = StringIO()
    with pytest.raises(CommandError) as exc:
        call_command("verify_trail", stdout=out)
    assert str(events[2].pk) in str(exc.value)
    assert "gap: expected #2" in out.getvalue()


def test_event_save_on_an_existing_row_is_refused(world):
    # given an event
    event = event_append(subject=world.dept, action="x.changed")
    # when / then changing it through the ORM is refused
    event.reason = "改写"
    with pytest.raises(PermissionDenied):
        event.save()
    Event.objects.get(pk=event.pk)  # still there, unchanged
    assert Event.objects.get(pk=event.pk).reason == ""


def test_event_delete_and_queryset_update_and_delete_are_refused(world):
    # given an event
    event = event_append(subject=world.dept, action="x.changed")
    # when / then
    with pytest.raises(PermissionDenied):
        event.delete()
    with pytest.raises(PermissionDenied):
        Event.objects.filter(pk=event.pk).update(reason="改写")
    with pytest.raises(PermissionDenied):
        Event.objects.all().delete()
    with pytest.raises(PermissionDenied):
        Event.objects.update(reason="改写")
    assert Event.objects.filter(pk=event.pk, reason="").exists()


# --- trail_batch: many events, one read and one insert -------------------------------------------


def test_trail_batch_writes_the_same_chain_with_one_read_and_one_insert(world):

    # given two subjects, one with a trail already
    a, b = world.dept, world.other_dept
    first = event_append(subject=a, action="dept.created")
    before = Event.objects.count()
    # when four events of both subjects are appended, interleaved, inside a batch
    with transaction.atomic(), CaptureQueriesContext(connection) as queries, trail_batch():
        e2 = event_append(subject=a, action="dept.renamed", actor=world.user("admin"), after={"name": "新名"})
        f1 = event_append(subject=b, action="dept.created", reason="新设")
        e3 = event_append(subject=a, action="dept.moved", before={"x": 1}, after={"x": 2})
        f2 = event_append(subject=b, action="dept.renamed")
        assert Event.objects.count() == before  # nothing written before the block ends
    # then they are written with one read of the last links and one INSERT
    sql = [q["sql"] for q in queries.captured_queries]
    assert sum(s.startswith("SELECT") and "COUNT(" not in s for s in sql) == 1
    assert sum(s.startswith("INSERT") for s in sql) == 1
    assert not any("SAVEPOINT" in s for s in sql)
    # and each subject's chain continues in append order, as event_append would have built it
    assert (e2.seq, e3.seq, f1.seq, f2.seq) == (2, 3, 1, 2)
    assert e2.prev_hash == first.hash
    assert e3.prev_hash == e2.hash
    assert f1.prev_hash == ""
    assert f2.prev_hash == f1.hash
    assert all(e.pk for e in (e2, e3, f1, f2))
    assert list(trail_verify()) == []
    # and an event appended afterwards links to the batch's last one
    assert event_append(subject=a, action="dept.closed").prev_hash == e3.hash


def test_trail_batch_writes_nothing_when_the_block_fails(world):

    before = Event.objects.count()

    def failing_action() -> None:
        with transaction.atomic(), trail_batch():
            event_append(subject=world.dept, action="dept.created")
            raise RuntimeError("the action failed")

    with pytest.raises(RuntimeError, match="the action failed"):
        failing_action()
    assert Event.objects.count() == before


def test_trail_batch_nested_block_is_written_by_the_outer_one(world):

    seqs = list(Event.objects.for_subject(world.dept).values_list("seq", flat=True))
    with transaction.atomic(), trail_batch():
        with trail_batch():
            event_append(subject=world.dept, action="dept.created")
        assert list(Event.objects.for_subject(world.dept).values_list("seq", flat=True)) == seqs
        event_append(subject=world.dept, action="dept.renamed")
    n = len(seqs)
    assert list(Event.objects.for_subject(world.dept).values_list("seq", flat=True)) == [*seqs, n + 1, n + 2]


@pytest.mark.django_db(transaction=True)
def test_trail_batch_refuses_to_run_outside_a_transaction():

    # the batch is written when the block ends: outside a transaction a failure later in the action
    # could not take the events back with it
    with pytest.raises(TransactionManagementError), trail_batch():
        pass


def test_verify_trail_reports_an_event_moved_to_another_jurisdiction(world):
    # given an event of a city department
    event = event_append(subject=world.dept, action="x.changed", after={"n": 1})
    assert event.tenant_id == world.city.pk
    # when someone re-assigns it to another jurisdiction in the database
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {Event._meta.db_table} SET tenant_id = %s WHERE id = %s", [world.county.pk, event.pk])
    # then the chain is broken: the tenant is part of the hash
    assert [b.event_id for b in trail_verify()] == [event.pk]


def test_trail_verify_checks_one_subjects_chain(world):
    # given two subjects, one of whose chains is broken in the database
    a_events = [event_append(subject=world.dept, action="x.changed", after={"n": i}) for i in range(2)]
    event_append(subject=world.other_dept, action="x.changed")
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {Event._meta.db_table} SET reason = %s WHERE id = %s", ["改过了", a_events[0].pk])
    # when / then only that subject's chain is read and reported (issue 10: verify per subject)
    assert [b.event_id for b in trail_verify(subject=world.dept)] == [a_events[0].pk]
    assert list(trail_verify(subject=world.other_dept)) == []
