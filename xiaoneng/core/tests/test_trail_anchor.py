"""Anchors over the Event trail (issue 10): a daily keyed seal, so that what the per-subject chains
cannot show — a subject's last events deleted, a whole chain rewritten with recomputed hashes — is
reported, and an anchor cannot be recomputed without XIAONENG_TRAIL_KEY. (rules.md has no rule ID
for the trail; the requirement is 全程留痕 in docs/architecture.md, the Event spine.)"""

from __future__ import annotations

import threading
import time
from datetime import date, timedelta
from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, connections, transaction
from django.test import override_settings

from xiaoneng.core.models import Event, TrailAnchor
from xiaoneng.core.partitions import event_heads_kept
from xiaoneng.core.schedule import periodic_tasks
from xiaoneng.core.tasks import trail_anchor_task
from xiaoneng.core.trail import (
    _anchor_key_id,
    _at_iso,
    _jsonable,
    event_append,
    event_hash,
    trail_anchor_record,
    trail_anchor_verify,
    trail_verify,
)

pytestmark = pytest.mark.django_db

DAY1, DAY2 = date(2026, 12, 4), date(2026, 12, 5)


def _verify(*args: str) -> str:
    out = StringIO()
    call_command("verify_trail", *args, stdout=out)
    return out.getvalue()


def _verify_fails(*args: str) -> tuple[str, str]:
    out = StringIO()
    with pytest.raises(CommandError) as exc:
        call_command("verify_trail", *args, stdout=out)
    return out.getvalue(), str(exc.value)


def _sql(sql: str, params: list) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql.replace("{t}", Event._meta.db_table).replace("{a}", TrailAnchor._meta.db_table), params)


def _three(world) -> list[Event]:
    return [event_append(subject=world.dept, action="x.changed", after={"n": i, "名称": "中文"}) for i in range(3)]


def test_a_clean_trail_verifies_and_events_after_the_anchor_still_verify(world):
    # given a trail sealed by an anchor
    _three(world)
    event_append(subject=world.other_dept, action="dept.created")
    anchor = trail_anchor_record(day=DAY1)
    total = Event.objects.count()
    assert (anchor.first_event_id, anchor.events, anchor.total_events) == (0, total, total)
    assert anchor.last_event_id == Event.objects.order_by("-pk").values_list("pk", flat=True)[0]
    # when more events are appended after it (one extends a sealed chain)
    event_append(subject=world.dept, action="x.renamed", after={"name": "新名"})
    event_append(subject=world.user("clerk"), action="user.changed")
    # then the chains and the anchor hold, and the command says how many are not sealed yet
    assert list(trail_verify()) == []
    assert list(trail_anchor_verify()) == []
    out = _verify("--max-anchor-age", "100000")
    assert f"trail intact: {total + 2} events verified" in out
    assert f"the newest of {DAY1} sealing {total} events; 2 appended since" in out
    # and the next day's anchor seals exactly those two, chained on the first
    second = trail_anchor_record(day=DAY2)
    assert (second.first_event_id, second.events, second.total_events) == (anchor.last_event_id, 2, total + 2)
    assert list(trail_anchor_verify()) == []
    assert "2 anchor(s) hold" in _verify()


def test_recording_twice_a_day_returns_the_same_anchor(world):
    _three(world)
    first = trail_anchor_record(day=DAY1)
    event_append(subject=world.dept, action="x.changed")
    assert trail_anchor_record(day=DAY1).pk == first.pk
    assert TrailAnchor.objects.count() == 1
    with pytest.raises(ValueError, match="an anchor of a later day"):
        trail_anchor_record(day=DAY1 - timedelta(days=1))  # never before the newest anchor


def test_a_deleted_tail_is_reported(world):
    # given a subject's three events, sealed
    events = _three(world)
    trail_anchor_record(day=DAY1)
    # when its last event is deleted in the database
    _sql("DELETE FROM {t} WHERE id = %s", [events[-1].pk])
    # then the chain alone still looks whole (the tail leaves no gap) ...
    assert list(trail_verify()) == []
    # ... but the anchor reports the sealed range one event short, and the command fails
    breaks = list(trail_anchor_verify())
    assert len(breaks) == 1
    assert breaks[0].day == DAY1
    assert "sealed" in breaks[0].problem
    assert "found" in breaks[0].problem
    out, err = _verify_fails()
    assert f"BROKEN anchor day={DAY1}" in out
    assert "anchor day(s): 2026-12-04" in err


def test_a_whole_chain_rewritten_with_recomputed_hashes_is_reported(world):
    # given a subject's three events, sealed
    events = _three(world)
    trail_anchor_record(day=DAY1)
    # when a forger rewrites every one of them and recomputes every hash, in place
    prev = ""
    for e in events:
        e.refresh_from_db()
        e.reason = "改写过的理由"
        digest = event_hash(
            tenant_id=e.tenant_id,
            subject_type_id=e.subject_type_id,
            subject_id=e.subject_id,
            seq=e.seq,
            actor_id=e.actor_id,
            at_iso=_at_iso(e.at),
            action=e.action,
            before=_jsonable(e.before),
            after=_jsonable(e.after),
            reason=e.reason,
            prev_hash=prev,
        )
        _sql(
            "UPDATE {t} SET reason = %s, prev_hash = %s, hash = %s WHERE id = %s", ["改写过的理由", prev, digest, e.pk]
        )
        prev = digest
    # then every chain verifies (the rewrite is consistent) ...
    assert list(trail_verify()) == []
    # ... but the anchor's digest no longer matches
    breaks = list(trail_anchor_verify())
    assert [b.day for b in breaks] == [DAY1]
    assert "digest differs" in breaks[0].problem
    _verify_fails()


def test_a_chain_deleted_and_re_appended_is_reported(world):
    # given a sealed subject whose events a forger deletes and appends again (new ids, new content)
    events = _three(world)
    trail_anchor_record(day=DAY1)
    _sql("DELETE FROM {t} WHERE id IN (%s, %s, %s)", [e.pk for e in events])
    if event_heads_kept():
        # on PostgreSQL the chain's head would make the new events continue at #4: the forger deletes it too
        _sql(
            "DELETE FROM core_eventhead WHERE subject_type_id = %s AND subject_id = %s",
            [events[0].subject_type_id, events[0].subject_id],
        )
    for i in range(3):
        event_append(subject=world.dept, action="x.changed", after={"n": i, "名称": "伪造"})
    # then the chains verify, the anchor does not
    assert list(trail_verify()) == []
    assert [b.day for b in trail_anchor_verify()] == [DAY1]


def test_an_anchor_recomputed_without_the_key_is_reported(world):
    # given a sealed trail, and a forger who deletes a tail and recomputes the anchor's digest and
    # counts (sha256 is public) but not with the key: the MAC is made with a key of their own
    events = _three(world)
    trail_anchor_record(day=DAY1)
    _sql("DELETE FROM {t} WHERE id = %s", [events[-1].pk])
    _sql("DELETE FROM {a}", [])
    with override_settings(XIAONENG_TRAIL_KEY="the-forgers-own-key"):
        trail_anchor_record(day=DAY1)
    forged = TrailAnchor.objects.get()
    # when the anchor's key fingerprint is put back too
    with override_settings(XIAONENG_TRAIL_KEY=""):
        real_key_id = _anchor_key_id()
    _sql("UPDATE {a} SET key_id = %s WHERE id = %s", [real_key_id, forged.pk])
    # then the MAC does not match
    problems = [b.problem for b in trail_anchor_verify()]
    assert len(problems) == 1
    assert "MAC does not match" in problems[0]
    # and left as it was, the forged anchor is reported as sealed with another key
    _sql("UPDATE {a} SET key_id = %s WHERE id = %s", [forged.key_id, forged.pk])
    assert "another key" in next(iter(trail_anchor_verify())).problem


def test_an_anchor_edited_in_place_is_reported(world):
    # given an anchor, and a forger who lowers its counts to match a deleted tail, keeping the MAC
    events = _three(world)
    anchor = trail_anchor_record(day=DAY1)
    _sql("DELETE FROM {t} WHERE id = %s", [events[-1].pk])
    _sql("UPDATE {a} SET events = events - 1, total_events = total_events - 1 WHERE id = %s", [anchor.pk])
    problems = [b.problem for b in trail_anchor_verify()]
    assert any("MAC does not match" in p for p in problems)


def test_a_deleted_anchor_is_reported(world):
    # given three anchors on three days
    for d in range(3):
        event_append(subject=world.dept, action="x.changed", after={"d": d})
        trail_anchor_record(day=DAY1 + timedelta(days=d))
    # when the middle one is deleted
    _sql("DELETE FROM {a} WHERE day = %s", [DAY1 + timedelta(days=1)])
    # then the next one is reported as following a missing anchor
    breaks = list(trail_anchor_verify())
    assert [b.day for b in breaks] == [DAY1 + timedelta(days=2)]
    assert "missing" in breaks[0].problem


def test_since_rereads_only_the_newer_anchors(world):
    # given two anchors, the first one's range tampered with
    events = _three(world)
    trail_anchor_record(day=DAY1)
    event_append(subject=world.other_dept, action="dept.created")
    trail_anchor_record(day=DAY2)
    _sql("DELETE FROM {t} WHERE id = %s", [events[-1].pk])
    if event_heads_kept():
        # (on PostgreSQL the forger also moves the chain's head back, or verify_trail would see the tail gone)
        _sql(
            "UPDATE core_eventhead SET seq = %s, hash = %s WHERE subject_type_id = %s AND subject_id = %s",
            [events[1].seq, events[1].hash, events[1].subject_type_id, events[1].subject_id],
        )
    # then a full check reports the first; one since the second day starts from the first's sealed digest
    assert [b.day for b in trail_anchor_verify()] == [DAY1]
    assert list(trail_anchor_verify(since=DAY2)) == []
    assert "trail intact" in _verify("--since", DAY2.isoformat())


def test_max_anchor_age_fails_without_a_recent_anchor(world):
    _three(world)
    _out, err = _verify_fails("--max-anchor-age", "2")
    assert "newest anchor (none)" in err
    trail_anchor_record()  # today
    assert "trail intact" in _verify("--max-anchor-age", "2")


def test_the_daily_task_is_registered_and_records_the_anchor(world):

    assert any(p.name == "core.trail_anchor" and p.task is trail_anchor_task for p in periodic_tasks())
    _three(world)
    trail_anchor_task.enqueue()  # the immediate backend of the tests runs it at once
    trail_anchor_task.enqueue()  # idempotent within a day
    assert TrailAnchor.objects.count() == 1
    assert list(trail_anchor_verify()) == []


def test_anchor_rows_cannot_be_changed_through_the_orm(world):

    anchor = trail_anchor_record(day=DAY1)
    anchor.events = 0
    with pytest.raises(PermissionDenied):
        anchor.save()
    with pytest.raises(PermissionDenied):
        anchor.delete()


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="ids drawn before commit: PostgreSQL's sequences")
def test_an_event_committed_after_a_later_one_is_waited_for(world):
    """PostgreSQL draws an event's id at INSERT: a transaction still open may hold a lower id than
    an event committed after it. The anchor waits for it (the table lock) instead of sealing a range
    that the late commit would later change, which verify would report as tampering."""
    inserted, release = threading.Event(), threading.Event()

    def slow_action() -> None:
        try:
            with transaction.atomic():
                event_append(subject=world.dept, action="slow.changed")  # the lower id, not committed yet
                inserted.set()
                release.wait(10)
                time.sleep(0.5)  # still open while the anchor is being taken
        finally:
            connections.close_all()

    t = threading.Thread(target=slow_action)
    t.start()
    assert inserted.wait(10)
    event_append(subject=world.other_dept, action="fast.changed")  # a higher id, committed first
    release.set()
    anchor = trail_anchor_record(day=DAY1)
    t.join()
    slow = Event.objects.get(action="slow.changed")
    assert slow.pk <= anchor.last_event_id
    assert anchor.events == Event.objects.filter(pk__lte=anchor.last_event_id).count()
    assert list(trail_anchor_verify()) == []
