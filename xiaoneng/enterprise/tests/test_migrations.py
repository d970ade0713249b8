"""The move of MonitoringPointReport from evaluation to enterprise (issue 13; enterprise 0002 copies
the rows with their ids, evaluation 0002 drops the old table) migrates forward and back with the data:
the ids survive, the table's id sequence is moved past them both ways (on PostgreSQL a copied id does
not advance the sequence, so the next insert would collide), and forward → back → forward works.

Run with real migrations through Django's MigrationExecutor in a transactional test; the schema is
always brought back to the latest state, whatever happens."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from xiaoneng.enterprise.choices import ReportStatus
from xiaoneng.enterprise.models import MonitoringPointReport

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("enterprise", "0001_initial"), ("evaluation", "0001_initial")]


def _migrate(targets: list[tuple[str, str]] | None) -> Any:
    """Migrate to `targets` (None: the latest state); the historical apps of that state."""
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    goal = targets if targets is not None else executor.loader.graph.leaf_nodes()
    executor.migrate(goal)
    executor.loader.build_graph()
    return executor.loader.project_state(goal).apps


def _old_row(apps: Any, world: Any, text: str) -> Any:
    Old = apps.get_model("evaluation", "MonitoringPointReport")
    return Old.objects.create(
        tenant_id=world.dept.tenant_id,
        point="开发区监测点",
        department_id=world.dept.pk,
        reported_on=date(2026, 3, 2),
        text=text,
        severity=2,
        reported_by_id=world.user("supervisor").pk,
    )


def test_reports_move_forward_and_back_with_their_ids(world):
    try:
        # given reports recorded in evaluation before the move
        apps = _migrate(BEFORE)
        old_ids = [_old_row(apps, world, t).pk for t in ("施工许可材料反复补正", "窗口午休无人")]
        # when migrating forward
        _migrate(None)
        # then each is in the enterprise table with its id, as a closed report of the office
        moved = MonitoringPointReport.objects.filter(pk__in=old_ids).order_by("pk")
        assert [r.pk for r in moved] == old_ids
        first = moved[0]
        assert (first.text, first.severity, first.department_id, first.point) == (
            "施工许可材料反复补正",
            2,
            world.dept.pk,
            "开发区监测点",
        )
        assert (first.status, first.monitoring_point_id) == (ReportStatus.CLOSED, None)
        # and a new report gets a higher id (the sequence was moved past the copied ids)
        new = MonitoringPointReport.objects.create(
            tenant_id=world.dept.tenant_id,
            point="新监测点",
            department=world.dept,
            reported_on=date(2026, 3, 3),
            text="新报告",
            reported_by=world.user("supervisor"),
        )
        assert new.pk > max(old_ids)
        # when migrating back, every report returns to evaluation with its id …
        apps = _migrate(BEFORE)
        Old = apps.get_model("evaluation", "MonitoringPointReport")
        assert sorted(Old.objects.values_list("pk", flat=True)) == [*old_ids, new.pk]
        assert Old.objects.get(pk=new.pk).text == "新报告"
        # … and none stays behind in the enterprise table (forward again would copy them twice)
        assert not apps.get_model("enterprise", "MonitoringPointReport").objects.exists()
        # a report recorded then gets a higher id there too
        assert _old_row(apps, world, "回退后登记").pk > new.pk
        # and forward again carries all four
        _migrate(None)
        assert MonitoringPointReport.objects.count() == 4
        assert MonitoringPointReport.objects.create(
            tenant_id=world.dept.tenant_id,
            point="p",
            department=world.dept,
            reported_on=date(2026, 3, 4),
            text="t",
            reported_by=world.user("supervisor"),
        ).pk > max(MonitoringPointReport.objects.exclude(text="t").values_list("pk", flat=True))
    finally:
        _migrate(None)
