"""The opinion's two hand-written reads (core.rowload; issue 9): the case row lock and the stage's
tasks must give exactly the instances the ORM gives — every field converted as the ORM converts it
(dates, JSON, booleans, on SQLite and PostgreSQL), the department attached without another query,
the tasks in key order — and fail the way the ORM fails."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.db.transaction import TransactionManagementError
from django.forms.models import model_to_dict

from xiaoneng.cases.actions.steps import _stage_tasks, _stage_tasks_of, case_step_decide
from xiaoneng.cases.actions.transition import case_lock
from xiaoneng.cases.choices import TaskStatus
from xiaoneng.cases.models import Case, StepTask
from xiaoneng.cases.tests.conftest import accepted

pytestmark = pytest.mark.django_db


def _fields(obj) -> dict:
    return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}


def test_case_lock_row_is_the_orm_instance(world, cw):
    # given an accepted case with form data (JSON), dates and a version
    case = accepted(world, cw.parallel)
    with transaction.atomic():
        # when it is locked by hand-written SQL and read by the ORM
        mine = case_lock(case.pk, related=())
        orm = Case.objects.select_for_update().get(pk=case.pk)
    # then every field is equal and of the same type, and the instance is "from the database"
    assert _fields(mine) == _fields(orm)
    assert {k: type(v) for k, v in _fields(mine).items()} == {k: type(v) for k, v in _fields(orm).items()}
    assert isinstance(mine.form_data, dict)
    assert mine.form_data == orm.form_data
    assert mine._state.adding is False
    assert mine._state.db == "default"


def test_case_lock_row_refuses_a_missing_case_and_a_lock_outside_a_transaction(world, cw, monkeypatch):
    with transaction.atomic(), pytest.raises(Case.DoesNotExist):
        case_lock(987654321, related=())
    if connection.features.has_select_for_update:  # the ORM's rule: a row lock needs a transaction
        case = accepted(world, cw.parallel)
        # (pytest-django runs each test inside a transaction: pretend to be outside it)
        monkeypatch.setattr(connection, "get_autocommit", lambda: True)
        with pytest.raises(TransactionManagementError):
            case_lock(case.pk, related=())


def test_stage_tasks_of_matches_the_orm_read(world, cw, django_assert_num_queries):
    # given a case in its four-department joint stage
    case = accepted(world, cw.parallel)
    first = case.tasks.get(status=TaskStatus.ACTIVE)
    case_step_decide(task=first, actor=world.user("reviewer"), kind="agree")
    joint = StepTask.objects.filter(case=case, status=TaskStatus.ACTIVE).order_by("-pk")[0]
    # when the stage is read by one of its tasks: one query, departments included
    with django_assert_num_queries(1):
        mine = _stage_tasks_of(case.pk, joint.pk)
        names = [t.department.name for t in mine]
    orm = _stage_tasks(case.pk, joint.stage_index)
    # then the same tasks, in key order, equal field by field, with their departments
    assert len(mine) == 4
    assert [t.pk for t in mine] == sorted(t.pk for t in mine) == [t.pk for t in orm]
    assert [_fields(t) for t in mine] == [_fields(t) for t in orm]
    assert names == [t.department.name for t in orm]
    assert [model_to_dict(t.department) for t in mine] == [model_to_dict(t.department) for t in orm]
    # and a task of another case names no stage
    assert _stage_tasks_of(case.pk + 1000, joint.pk) == []


def test_opinion_written_by_hand_is_the_row_the_orm_reads(world, cw):
    # given a case in its joint stage
    case = accepted(world, cw.parallel)
    first = case.tasks.get(status=TaskStatus.ACTIVE)
    case_step_decide(task=first, actor=world.user("reviewer"), kind="agree")
    joint = StepTask.objects.filter(case=case, status=TaskStatus.ACTIVE).order_by("pk")[0]
    # when its department disagrees (reasons required), written by core.rowload
    actor = cw.co_reviewers[joint.department.name]
    op = case_step_decide(task=joint, actor=actor, kind="disagree", reasons="  材料不全  ")
    # then the instance is the stored row: key, times, author, reasons trimmed, flags
    stored = type(op).objects.get(pk=op.pk)
    assert op._state.adding is False
    assert _fields(op) == _fields(stored)
    assert stored.reasons == "材料不全"
    # and the task row was written too (status, completion time)
    task = StepTask.objects.get(pk=joint.pk)
    assert task.status == TaskStatus.DONE
    assert task.completed_at is not None
    assert abs((stored.created_at - task.completed_at).total_seconds()) < 60
