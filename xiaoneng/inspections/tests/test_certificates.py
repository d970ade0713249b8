"""Enforcement certificates (执法证, INS-3): who registers them, their validity, revocation, and the
acts they allow."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from xiaoneng.core.models import Event
from xiaoneng.inspections.actions.certificates import certificate_issue, certificate_revoke
from xiaoneng.inspections.actions.filings import filing_submit
from xiaoneng.inspections.models import EnforcementCertificate
from xiaoneng.inspections.selectors import certificate_valid_on
from xiaoneng.inspections.tests.conftest import filing_args


def _issue(world, iw, **overrides):
    args = {
        "actor": world.user("legal"),
        "holder": world.user("clerk"),
        "department": world.dept,
        "number": "33910000NEW",
        "scope_text": "市场监管",
        "valid_from": iw.today,
        "valid_to": iw.today + timedelta(days=30),
    }
    args.update(overrides)
    return certificate_issue(**args)


def test_validity_is_inclusive_and_revocation_ends_it(world, iw):
    cert = iw.certs["clerk"]
    assert cert.is_valid_on(cert.valid_from)
    assert cert.is_valid_on(cert.valid_to)
    assert not cert.is_valid_on(cert.valid_to + timedelta(days=1))
    assert certificate_valid_on(world.user("clerk"), iw.today) == cert
    certificate_revoke(actor=world.user("legal"), certificate=cert, reason="调离")
    assert certificate_valid_on(world.user("clerk"), iw.today) is None
    actions = list(Event.objects.for_subject(cert).values_list("action", flat=True))
    assert actions == ["certificate.issued", "certificate.revoked"]
    with pytest.raises(ValidationError):  # once
        certificate_revoke(actor=world.user("legal"), certificate=cert, reason="再次")


@pytest.mark.parametrize("key", ["clerk", "dept_head", "supervisor", "applicant", "other_county_supervisor"])
def test_only_the_legal_office_or_administrator_registers_certificates(world, iw, key):
    with pytest.raises(PermissionDenied):
        _issue(world, iw, actor=world.user(key))
    with pytest.raises(PermissionDenied):
        certificate_revoke(actor=world.user(key), certificate=iw.certs["clerk"], reason="x")


def test_the_administrator_of_the_tenant_may_register(world, iw):
    cert = _issue(world, iw, actor=world.user("admin"))
    assert cert.pk
    assert cert.tenant_id == world.dept.tenant_id


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"valid_from": date(1, 1, 1)}, "有效期起"),
        ({"valid_to": date(9999, 12, 31)}, "有效期至"),
        ({"valid_to": date(2000, 1, 1), "valid_from": date(2001, 1, 1)}, "不能早于"),
        ({"valid_from": date(2001, 1, 1), "valid_to": date(2020, 1, 1)}, "不能超过"),
        ({"number": "N" * 300}, "不能超过"),
        ({"number": "  "}, "执法证号"),
        ({"scope_text": "范" * 300}, "不能超过"),
        ({"number": "33910000CLE"}, "已存在"),
    ],
)
def test_bad_certificates_are_refused(world, iw, overrides, message):
    with pytest.raises(ValidationError, match=message):
        _issue(world, iw, **overrides)


def test_holder_must_work_in_the_department(world, iw):
    with pytest.raises(ValidationError, match="持证人"):
        _issue(world, iw, holder=world.user("other_clerk"))
    with pytest.raises(ValidationError, match="持证人"):
        _issue(world, iw, holder=None)


def test_ins3_expired_certificate_refuses_the_act_on_that_date(world, iw):
    # the reviewer's certificate ends tomorrow: a filing for next week is refused, one for today is not
    cert = iw.certs["reviewer"]
    cert.valid_to = iw.today + timedelta(days=1)
    cert.save(update_fields=["valid_to"])
    with pytest.raises(ValidationError, match="没有有效的执法证"):
        filing_submit(**filing_args(world, iw, planned_date=iw.today + timedelta(days=7)))
    assert filing_submit(**filing_args(world, iw, planned_date=iw.today)).pk


def test_certificate_pages_scope_and_roles(world, iw, client):
    # the legal office registers through the page
    client.force_login(world.user("legal"))
    r = client.post(
        "/inspections/certificates/",
        {
            "holder": world.user("other_clerk").pk,
            "number": "33910000OTH",
            "scope_text": "住房建设",
            "valid_from": iw.today.isoformat(),
            "valid_to": (iw.today + timedelta(days=700)).isoformat(),
        },
    )
    assert r.status_code == 302
    assert EnforcementCertificate.objects.filter(number="33910000OTH", department=world.other_dept).exists()
    # bad dates are a message, not a 500
    r = client.post(
        "/inspections/certificates/",
        {
            "holder": world.user("clerk").pk,
            "number": "X1",
            "scope_text": "s",
            "valid_from": "0001-01-01",
            "valid_to": "9999-12-31",
        },
    )
    assert r.status_code == 200
    assert "errorlist" in r.content.decode()
    # the department sees its own certificates only, and cannot register or revoke
    client.force_login(world.user("clerk"))
    body = client.get("/inspections/certificates/").content.decode()
    assert "33910000CLE" in body
    assert "33910000OTH" not in body
    assert "certificate-form" not in body
    r = client.post(f"/inspections/certificates/{iw.certs['clerk'].pk}/revoke/", {"reason": "x"})
    assert r.status_code == 403
    r = client.post("/inspections/certificates/", {"number": "Z"})
    assert r.status_code == 403
    assert [c["number"] for c in client.get("/api/inspections/certificates").json()] == [
        "33910000CLE",
        "33910000DEP",
        "33910000REV",
    ]
    # another department cannot reach this department's certificate
    client.force_login(world.user("other_clerk"))
    r = client.post(f"/inspections/certificates/{iw.certs['clerk'].pk}/revoke/", {"reason": "x"})
    assert r.status_code == 404
    client.force_login(world.user("applicant"))
    assert client.get("/inspections/certificates/").status_code == 403
    # the legal office revokes through the page
    client.force_login(world.user("legal"))
    r = client.post(f"/inspections/certificates/{iw.certs['clerk'].pk}/revoke/", {"reason": "调离执法岗位"})
    assert r.status_code == 302
    iw.certs["clerk"].refresh_from_db()
    assert iw.certs["clerk"].revoked_at is not None
