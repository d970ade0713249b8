# mypy: disable-error-code="union-attr,arg-type"
"""complaints.permissions: the scoped look-ups by id and the role tests the pages and API use."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404

from xiaoneng.complaints.actions.acceptance import complaint_accept
from xiaoneng.complaints.actions.dispatch import complaint_dispatch
from xiaoneng.complaints.actions.intake import complaint_submit
from xiaoneng.complaints.choices import Kind
from xiaoneng.complaints.permissions import (
    access_attachment_by_id,
    access_complaint_by_id,
    is_department_user,
    is_office_user,
    is_staff_user,
)

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4 a receipt\n"


def _with_file(world, *, hidden: bool):
    reg = complaint_submit(
        kind=Kind.EFFICIENCY,
        title="窗口两次要求提交同一份材料",
        content="我在市场监管局窗口办理营业执照，工作人员两次要求我提交同一份租赁合同。",
        name="赵先生",
        phone="13900000021",
        department=world.dept,
        hide_from_department=hidden,
        files=[SimpleUploadedFile("收据.pdf", PDF, content_type="application/pdf")],
    )
    c = reg.complaint
    complaint_accept(complaint=c, actor=world.user("supervisor"))
    return complaint_dispatch(complaint=c, actor=world.user("supervisor"), department=world.dept)


def test_access_complaint_by_id_inside_and_outside_the_scope(world):
    # given a complaint of a city department, dispatched to it
    c = _with_file(world, hidden=False)
    # then the city's office and the handling department reach it
    assert access_complaint_by_id(world.user("supervisor"), c.pk) == c
    assert access_complaint_by_id(world.user("clerk"), c.pk) == c
    # and another department, another county's office and an applicant get 404 (nothing revealed)
    for key in ("other_clerk", "other_county_supervisor", "applicant"):
        with pytest.raises(Http404):
            access_complaint_by_id(world.user(key), c.pk)
    with pytest.raises(Http404):
        access_complaint_by_id(world.user("supervisor"), c.pk + 1000)


def test_attachment_of_a_hidden_complainant_is_404_for_the_department(world):
    # given a complainant who asked to stay hidden from the department, with a file
    c = _with_file(world, hidden=True)
    att = c.attachments.get()
    # then the office may read the file, the handling department may not (a file may name its author)
    assert access_attachment_by_id(world.user("supervisor"), c, att.pk) == att
    with pytest.raises(Http404):
        access_attachment_by_id(world.user("clerk"), c, att.pk)


def test_attachment_of_another_complaint_is_404(world):
    a = _with_file(world, hidden=False)
    b = _with_file(world, hidden=False)
    with pytest.raises(Http404):
        access_attachment_by_id(world.user("supervisor"), a, b.attachments.get().pk)


@pytest.mark.parametrize(
    ("key", "office", "department", "staff"),
    [
        ("supervisor", True, False, True),
        ("leader", True, False, True),
        ("clerk", False, True, True),
        ("dept_head", False, True, True),
        ("applicant", False, False, False),
        ("admin", False, False, False),
    ],
)
def test_role_tests(world, key, office, department, staff):
    user = world.user(key)
    assert (is_office_user(user), is_department_user(user), is_staff_user(user)) == (office, department, staff)
