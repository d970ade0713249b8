"""明察暗访 / 交叉检查 / 自查自纠 with evidence and findings; each finding opens one Rectification (INS-9)."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from xiaoneng.core.models import Event
from xiaoneng.inspections.actions.records import check_record, finding_add, inspection_record
from xiaoneng.inspections.choices import InspectionKind
from xiaoneng.inspections.models import Inspection, InspectionFinding
from xiaoneng.inspections.tests.conftest import ENTERPRISE, PDF
from xiaoneng.oversight.choices import RectificationStatus
from xiaoneng.oversight.models import Rectification


def _check(world, iw, **overrides):
    args = {
        "actor": world.user("supervisor"),
        "kind": InspectionKind.UNANNOUNCED,
        "department": world.other_dept,
        "inspected_on": iw.today,
        "summary": "上午10时暗访住建局窗口",
        "files": [SimpleUploadedFile("暗访照片.pdf", PDF)],
        "findings": ["窗口人员离岗未挂去向牌", "", "叫号机故障未报修"],
    }
    args.update(overrides)
    return check_record(**args)


def test_ins9_each_finding_opens_one_rectification(world, iw):
    inspection = _check(world, iw)
    findings = list(inspection.findings.select_related("rectification"))
    assert [f.text for f in findings] == ["窗口人员离岗未挂去向牌", "叫号机故障未报修"]
    for f in findings:
        assert f.rectification is not None
        assert f.rectification.department == world.other_dept
        assert f.rectification.status == RectificationStatus.OPEN
        assert f.rectification.clock is not None
    assert inspection.evidence.get().file.name.startswith(f"inspections/evidence/{inspection.pk}/")
    actions = list(Event.objects.for_subject(inspection).values_list("action", flat=True))
    assert actions == ["inspection.recorded", "inspection.finding_added", "inspection.finding_added"]


def test_ins9_enterprise_inspection_finding_opens_rectification_for_the_inspecting_department(world, iw):
    inspection = inspection_record(
        actor=world.user("clerk"),
        department=world.dept,
        item=iw.inspection_item,
        enterprise_name="企业",
        credit_code=ENTERPRISE,
        inspected_on=iw.today,
        summary="现场检查",
        officials=[world.user("clerk"), world.user("reviewer")],
    )
    finding = finding_add(actor=world.user("clerk"), inspection=inspection, text="冷库温度记录缺失")
    assert finding.rectification is not None
    assert finding.rectification.department == world.dept
    # the oversight pages show it to the department
    assert Rectification.objects.filter(pk=finding.rectification.pk, title__contains="冷库温度记录缺失").exists()


@pytest.mark.parametrize(
    ("key", "kind", "dept"),
    [
        ("clerk", InspectionKind.UNANNOUNCED, "other_dept"),  # a department cannot 暗访 another
        ("other_county_supervisor", InspectionKind.UNANNOUNCED, "county_dept"),  # outside its region
        ("applicant", InspectionKind.CROSS, "dept"),
        ("clerk", InspectionKind.SELF, "other_dept"),  # 自查自纠 only of one's own department
        ("supervisor", InspectionKind.SELF, "dept"),
    ],
)
def test_wrong_roles_are_refused(world, iw, key, kind, dept):
    with pytest.raises(PermissionDenied):
        _check(world, iw, actor=world.user(key), kind=kind, department=getattr(world, dept))
    assert not Inspection.objects.exists()


def test_self_inspection_by_the_department(world, iw):
    inspection = _check(world, iw, actor=world.user("dept_head"), kind=InspectionKind.SELF, department=world.dept)
    assert inspection.findings.count() == 2
    with pytest.raises(PermissionDenied):
        finding_add(actor=world.user("other_clerk"), inspection=inspection, text="x")


@pytest.mark.parametrize(
    "overrides",
    [
        {"inspected_on": date(1, 1, 1)},
        {"inspected_on": date(9999, 12, 31)},
        {"summary": "况" * 3000},
        {"findings": ["问" * 1200]},
        {"findings": ["问题"] * 21},
        {"files": [SimpleUploadedFile("a.exe", b"MZ\x90")]},
        {"files": [SimpleUploadedFile("空.pdf", b"")]},
        {"kind": InspectionKind.ENTERPRISE},
        {"kind": "nonsense"},
    ],
)
def test_bad_input_is_refused_and_nothing_written(world, iw, overrides):
    with pytest.raises(ValidationError):
        _check(world, iw, **overrides)
    assert not Inspection.objects.exists()
    assert not Rectification.objects.exists()


def test_pages_and_api(world, iw, client):
    client.force_login(world.user("supervisor"))
    assert client.get("/inspections/records/check/").status_code == 200
    r = client.post(
        "/inspections/records/check/",
        {
            "kind": "cross",
            "department": world.other_dept.pk,
            "inspected_on": iw.today.isoformat(),
            "summary": "交叉检查住建局",
            "findings": "档案未按规定归档",
            "evidence": [SimpleUploadedFile("检查表.pdf", PDF)],
        },
    )
    assert r.status_code == 302, r.content.decode()[:1500]
    inspection = Inspection.objects.get()
    detail = client.get(f"/inspections/records/{inspection.pk}/").content.decode()
    assert "档案未按规定归档" in detail
    assert "检查表.pdf" in detail
    r = client.post(
        f"/api/inspections/records/{inspection.pk}/findings", {"text": "无"}, content_type="application/json"
    )
    assert r.status_code == 201
    assert r.json()["rectification_id"]
    ev = inspection.evidence.get()
    assert client.get(f"/inspections/evidence/{ev.pk}/file/").status_code == 200
    # a bad date in the form is a message
    r = client.post(
        "/inspections/records/check/",
        {"kind": "cross", "department": world.other_dept.pk, "inspected_on": "0001-01-01", "summary": "x"},
    )
    assert r.status_code == 200
    assert "errorlist" in r.content.decode()
    # the inspected department sees it; others and applicants do not
    client.force_login(world.user("other_clerk"))
    assert client.get(f"/inspections/records/{inspection.pk}/").status_code == 200
    r = client.post(f"/inspections/records/{inspection.pk}/", {"text": "x"})
    assert r.status_code == 403  # the inspected department cannot add findings to the office's check
    for key in ("clerk", "county_clerk", "other_county_supervisor", "applicant"):
        client.force_login(world.user(key))
        assert client.get(f"/inspections/records/{inspection.pk}/").status_code in (403, 404)
        assert client.get(f"/inspections/evidence/{ev.pk}/file/").status_code in (403, 404)
        r = client.post(
            f"/api/inspections/records/{inspection.pk}/findings", {"text": "x"}, content_type="application/json"
        )
        assert r.status_code in (403, 404)
    client.force_login(world.user("applicant"))
    assert client.get("/inspections/records/check/").status_code == 403
    assert InspectionFinding.objects.count() == 2
