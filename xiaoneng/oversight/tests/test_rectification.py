from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from xiaoneng.core.actors import SYSTEM
from xiaoneng.core.models import Event
from xiaoneng.oversight.choices import RectificationOrigin, RectificationStatus
from xiaoneng.oversight.models import Rectification
from xiaoneng.oversight.services import (
    rectification_open,
    rectification_reject,
    rectification_submit,
    rectification_verify,
)
from xiaoneng.workdays.choices import ClockStatus


def _open(world):
    return rectification_open(
        department=world.dept, title="窗口超时整改", problem="受理超时", actor=world.user("supervisor")
    )


def test_rectification_submit_then_verify_closes_it_and_stops_its_clock(world):
    # given an open rectification
    rect = _open(world)
    assert rect.clock.limit == 15
    assert rect.clock.status == ClockStatus.RUNNING
    # when the department submits evidence with a file and the supervisor verifies
    rectification_submit(
        rectification=rect,
        actor=world.user("clerk"),
        text="已调整窗口人员",
        file=SimpleUploadedFile("证明.pdf", b"%PDF-1.4 test"),
    )
    rect.refresh_from_db()
    assert rect.status == RectificationStatus.SUBMITTED
    rectification_verify(rectification=rect, actor=world.user("supervisor"), note="属实")
    # then it is closed, verified, and its clock stopped
    rect.refresh_from_db()
    rect.clock.refresh_from_db()
    assert rect.status == RectificationStatus.CLOSED
    assert rect.verified_by == world.user("supervisor")
    assert rect.clock.status == ClockStatus.STOPPED
    assert rect.evidence.get().file.name.startswith(f"oversight/evidence/{rect.pk}/")
    actions = list(Event.objects.for_subject(rect).values_list("action", flat=True))
    assert actions == ["rectification.opened", "rectification.submitted", "rectification.verified"]


def test_rejected_rectification_goes_back_to_open(world):
    rect = _open(world)
    rectification_submit(rectification=rect, actor=world.user("clerk"), text="已整改")
    with pytest.raises(ValidationError):
        rectification_reject(rectification=rect, actor=world.user("supervisor"), reason="  ")
    rectification_reject(rectification=rect, actor=world.user("supervisor"), reason="佐证不足")
    rect.refresh_from_db()
    assert rect.status == RectificationStatus.OPEN
    assert rect.rejections == 1


def test_wrong_roles_are_refused(world):
    rect = _open(world)
    # another department cannot submit; a clerk cannot verify; an applicant cannot open
    with pytest.raises(PermissionDenied):
        rectification_submit(rectification=rect, actor=world.user("other_clerk"), text="x")
    rectification_submit(rectification=rect, actor=world.user("clerk"), text="已整改")
    with pytest.raises(PermissionDenied):
        rectification_verify(rectification=rect, actor=world.user("clerk"))
    with pytest.raises(PermissionDenied):
        rectification_verify(rectification=rect, actor=world.user("other_county_supervisor"))
    with pytest.raises(PermissionDenied):
        rectification_open(department=world.dept, title="t", problem="p", actor=world.user("applicant"))


def test_bad_evidence_file_is_refused_and_nothing_written(world):
    rect = _open(world)
    with pytest.raises(ValidationError, match="类型不允许上传"):
        rectification_submit(
            rectification=rect, actor=world.user("clerk"), text="已整改", file=SimpleUploadedFile("a.exe", b"MZ")
        )
    rect.refresh_from_db()
    assert rect.status == RectificationStatus.OPEN
    assert not rect.evidence.exists()


@pytest.mark.parametrize("username", ["applicant", "other_clerk", "county_clerk", "other_county_supervisor"])
def test_pages_and_api_refuse_users_outside_scope(world, client, username):
    rect = _open(world)
    client.force_login(world.user(username))
    for url in (f"/oversight/{rect.pk}/", f"/api/oversight/rectifications/{rect.pk}"):
        assert client.get(url).status_code in (403, 404)
    r = client.post(f"/api/oversight/rectifications/{rect.pk}/submit", {"text": "x"}, content_type="application/json")
    assert r.status_code in (403, 404)


def test_pages_work_for_the_department_and_the_supervisor(world, client):
    rect = _open(world)
    client.force_login(world.user("clerk"))
    assert "窗口超时整改" in client.get("/oversight/").content.decode()
    r = client.post(f"/oversight/{rect.pk}/", {"action": "submit", "text": "已整改完毕"})
    assert r.status_code == 302
    client.force_login(world.user("clerk"))
    r = client.post(f"/api/oversight/rectifications/{rect.pk}/verify", {}, content_type="application/json")
    assert r.status_code == 403
    client.force_login(world.user("supervisor"))
    r = client.post(f"/api/oversight/rectifications/{rect.pk}/verify", {"note": "ok"}, content_type="application/json")
    assert r.status_code == 200
    assert r.json()["status"] == "closed"
    assert client.get("/oversight/").status_code == 200
    client.force_login(world.user("applicant"))
    assert client.get("/oversight/").status_code == 403


def test_a_missing_actor_is_refused_and_the_system_says_so(world):
    # issue 10: actor=None used to pass the permission check as "the system"; the system's own processes
    # now name SYSTEM, and a forgotten actor is a programming error that writes nothing
    before = Rectification.objects.count()
    with pytest.raises(TypeError, match="actor is required"):
        rectification_open(department=world.dept, title="t", problem="p")
    assert Rectification.objects.count() == before
    rect = rectification_open(department=world.dept, title="系统开具", problem="红牌超期", actor=SYSTEM)
    assert rect.origin == RectificationOrigin.SYSTEM
    assert Event.objects.for_subject(rect).get(action="rectification.opened").actor_id is None
