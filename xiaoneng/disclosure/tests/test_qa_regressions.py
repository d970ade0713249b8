# mypy: disable-error-code="union-attr,arg-type,misc,operator"
"""Regressions found by the QA walk of issue 11's disclosure part (browser walk as each role, hostile input)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from xiaoneng.disclosure.services import record_create, record_publish
from xiaoneng.disclosure.tests.conftest import submit

pytestmark = pytest.mark.django_db


def test_request_trail_shows_labels_not_action_codes(client, world):
    # given a request received online
    req = submit(world).request
    # when the department's clerk opens it
    client.force_login(world.user("clerk"))
    body = client.get(reverse("disclosure:request", args=[req.pk])).content.decode()
    # then the trail says what happened in words, never the event's action code
    trail = body.split("<h2>办理记录</h2>")[1]
    assert "收到申请" in trail
    assert "disclosure." not in trail


def _published(world):

    rec = record_create(
        actor=world.user("clerk"), category="normative", title="原标题", body="正文", created_on=timezone.localdate()
    )
    return record_publish(record=rec, actor=world.user("reviewer"))


def test_published_record_edit_form_only_for_those_who_may_save_it(client, world):
    # given a published record of the clerk's department
    rec = _published(world)
    url = reverse("disclosure:staff_record", args=[rec.pk])
    # when the clerk opens it: no edit form is offered (saving it would be refused: DIS-3 review)
    client.force_login(world.user("clerk"))
    assert 'value="update"' not in client.get(url).content.decode()
    # the reviewer, who may publish the change, gets the form
    client.force_login(world.user("reviewer"))
    assert 'value="update"' in client.get(url).content.decode()


def test_record_edit_refused_keeps_the_typed_input(client, world):
    # given the reviewer editing a published record
    rec = _published(world)
    url = reverse("disclosure:staff_record", args=[rec.pk])
    client.force_login(world.user("reviewer"))
    # when the change is refused (a 300-character title, a year-9999 date)
    data = {
        "action": "update",
        "category": "normative",
        "title": "新" * 300,
        "created_on": "9999-12-31",
        "body": "新正文",
    }
    page = client.post(url, data)
    # then the page answers with the form, the message and what was typed; nothing was saved
    body = page.content.decode()
    assert page.status_code == 200
    assert 'id="form-errors"' in body
    assert "新正文" in body
    rec.refresh_from_db()
    assert rec.title == "原标题"
    assert rec.revision == 0


def test_refused_answer_keeps_the_typed_text_and_writes_nothing(client, world):
    # given a request in processing and the clerk answering 不予公开 without choosing a ground (DIS-2)
    req = submit(world).request
    url = reverse("disclosure:request", args=[req.pk])
    client.force_login(world.user("clerk"))
    text = "经审查，您申请的信息涉及第三方商业秘密，依法不予公开。" * 3
    page = client.post(url, {"action": "answer", "answer_type": "withheld", "ground": "", "text": text})
    # then the page answers with the message, the typed text and the chosen type kept; nothing was answered
    body = page.content.decode()
    assert page.status_code == 200
    assert text in body.split('id="a-text"')[1].split("</textarea>")[0]
    assert 'value="withheld" selected' in body
    req.refresh_from_db()
    assert req.answer_type == ""
    assert req.is_open
    # and an accepted answer still redirects (a reload does not post it twice)
    ok = client.post(url, {"action": "answer", "answer_type": "disclosed", "ground": "", "text": "予以公开。"})
    assert ok.status_code == 302


def test_apply_form_does_not_preselect_an_agency_but_the_guide_link_does(client, world):
    # given the public application form opened directly
    body = client.get(reverse("disclosure:apply")).content.decode()
    select = body.split('id="id_department"')[1].split("</select>")[0]
    # then no agency is chosen for the citizen; posting without one is refused with a message
    assert 'value="" selected' in select
    page = client.post(
        reverse("disclosure:apply"),
        {
            "department": "",
            "applicant_kind": "natural",
            "applicant_name": "钱女士",
            "phone": "13900000031",
            "description": "某信息",
        },
    )
    assert page.status_code == 200
    assert 'id="form-errors"' in page.content.decode()
    # and from a department's guide the link chooses that department (a bad id is ignored)
    guide = client.get(reverse("disclosure:guide", args=[world.dept.pk])).content.decode()
    assert f"?department={world.dept.pk}" in guide
    body = client.get(reverse("disclosure:apply"), {"department": world.dept.pk}).content.decode()
    assert f'value="{world.dept.pk}" selected' in body
    assert client.get(reverse("disclosure:apply"), {"department": "9" * 40}).status_code == 200
