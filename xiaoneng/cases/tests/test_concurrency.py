# mypy: disable-error-code="union-attr,operator"
# (tests read clocks that the services always set; the Optional is a model-level fact only)
"""Conventions §6: two staff acting on the same case at the same moment — one wins, the other gets
a clear message, and nothing is lost. Real concurrency needs PostgreSQL's row locks."""

from __future__ import annotations

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from xiaoneng.cases.actions.intake import case_accept
from xiaoneng.cases.actions.supplement import case_request_supplement
from xiaoneng.cases.actions.transition import CONFLICT_MESSAGE
from xiaoneng.cases.choices import Status
from xiaoneng.cases.models import Case
from xiaoneng.cases.tests.conftest import submit
from xiaoneng.core.models import Event

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _require_postgres() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks (SELECT … FOR UPDATE); SQLite serialises whole transactions")


def test_two_clerks_accept_and_supplement_at_once_one_wins(world, cw):
    _require_postgres()
    # given one submitted case, loaded by two clerks
    case, _code = submit(world, cw.simple)
    seen_a, seen_b = Case.objects.get(pk=case.pk), Case.objects.get(pk=case.pk)
    barrier = threading.Barrier(2)
    results: dict[str, object] = {}

    def run(name: str, fn) -> None:
        try:
            barrier.wait()
            results[name] = fn()
        except ValidationError as e:
            results[name] = e
        finally:
            connections.close_all()

    # when both act at the same moment
    t1 = threading.Thread(target=run, args=("accept", lambda: case_accept(case=seen_a, actor=world.user("clerk"))))
    t2 = threading.Thread(
        target=run,
        args=(
            "supplement",
            lambda: case_request_supplement(case=seen_b, actor=world.user("dept_head"), missing=["身份证明"]),
        ),
    )
    for t in (t1, t2):
        t.start()
    for t in (t1, t2):
        t.join()
    # then exactly one action won, the other got the clear message
    errors = [r for r in results.values() if isinstance(r, ValidationError)]
    assert len(errors) == 1, results
    assert str(CONFLICT_MESSAGE) in errors[0].messages[0]
    final = Case.objects.get(pk=case.pk)
    assert final.status in (Status.IN_REVIEW, Status.SUPPLEMENT_REQUESTED)
    # and the trail holds exactly one of the two transitions
    actions = list(Event.objects.for_subject(final).values_list("action", flat=True))
    assert ("case.accepted" in actions) != ("case.supplement_requested" in actions)


def test_two_clerks_accept_same_case_one_wins(world, cw):
    _require_postgres()
    case, _code = submit(world, cw.simple)
    copies = [Case.objects.get(pk=case.pk) for _ in range(2)]
    barrier = threading.Barrier(2)
    outcomes: list[object] = []

    def run(c: Case) -> None:
        try:
            barrier.wait()
            outcomes.append(case_accept(case=c, actor=world.user("clerk")))
        except ValidationError as e:
            outcomes.append(e)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(c,)) for c in copies]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(isinstance(o, ValidationError) for o in outcomes) == 1
    final = Case.objects.get(pk=case.pk)
    assert final.notices.filter(kind="acceptance").count() == 1
    assert final.decision_clock is not None
