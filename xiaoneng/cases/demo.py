"""Demo cases across the demo items, in every state: fresh and overdue intake, a one-time supplement
notice, a refusal at intake and a refusal decision with their negative-decision reports, cases in
review (one overdue, one paused for a special procedure), a deemed acceptance, a deemed consent in
a parallel stage, decided, delivered, closed and withdrawn cases. Idempotent: runs once."""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any
from unittest import mock

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas

from xiaoneng.cases.actions.decision import case_close, case_decide, case_deliver, case_withdraw
from xiaoneng.cases.actions.enquiries import enquiry_register
from xiaoneng.cases.actions.fees import fee_charge_record
from xiaoneng.cases.actions.intake import case_accept, case_refuse_at_intake, case_submit
from xiaoneng.cases.actions.negative import case_negative_report_review, case_negative_report_submit
from xiaoneng.cases.actions.steps import case_step_decide
from xiaoneng.cases.actions.supplement import case_request_supplement
from xiaoneng.cases.actions.timing import case_extend, case_pause
from xiaoneng.cases.choices import APPLICABLE_ITEM_TYPES, ONLINE_ACCEPTANCE_DEPTH, TaskStatus
from xiaoneng.cases.models import Case, StepTask
from xiaoneng.cases.tasks import deemed_acceptance_run, deemed_consent_run
from xiaoneng.catalog.choices import CaseKind, VersionStatus
from xiaoneng.catalog.models import Item
from xiaoneng.core.pdf import pdf_font
from xiaoneng.orgs.choices import Role
from xiaoneng.orgs.models import User


@contextmanager
def _at(moment: datetime) -> Iterator[None]:
    """Act as if it were `moment`: demo cases started in the past show real overdue clocks."""
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield


def _staff(department_id: int, *roles: str) -> Any:
    for role in roles:
        u = User.objects.filter(department_id=department_id, role=role, is_active=True).order_by("pk").first()
        if u is not None:
            return u
    return None


def _task_actor(task: StepTask) -> Any:
    if task.assignee is not None:
        return task.assignee
    return _staff(task.department_id, task.role or Role.REVIEWER, Role.REVIEWER, Role.DEPT_HEAD)


def _form(applicant: User, i: int) -> dict[str, str]:
    return {
        "applicant_name": str(applicant),
        "phone": applicant.phone or f"1390000{i:04d}",
        "address": "青溪市城东街道人民路 18 号",
        "description": "申请办理该事项，材料见附件。",
    }


# what each department writes when it agrees (by a word of the step's name)
REASONS = {
    "住建": "施工图审查合格，施工条件具备。",
    "自然资源": "符合建设工程规划许可及规划条件。",
    "规划": "符合规划条件。",
    "消防": "消防设计审查合格。",
    "人防": "人防工程设计符合要求。",
    "受理": "申请材料齐全，符合法定形式。",
    "审查": "经审查，符合法定条件和标准。",
}


def _reason(task: StepTask) -> str:
    return next((r for word, r in REASONS.items() if word in task.name), "经审查，符合要求。")


def _sample_pdf(title: str) -> bytes:
    """A one-page PDF standing in for an uploaded material."""

    buf = io.BytesIO()
    c = Canvas(buf, pagesize=A4, initialFontName=pdf_font())
    c.setFont(pdf_font(), 18)
    c.drawString(72, 760, title)
    c.setFont(pdf_font(), 12)
    c.drawString(72, 730, "（演示材料）")
    c.showPage()
    c.save()
    return buf.getvalue()


def _files(item: Any) -> list[tuple[Any, Any]]:

    return [
        (m, SimpleUploadedFile(f"{m.name[:40]}.pdf", _sample_pdf(m.name), content_type="application/pdf"))
        for m in item.published.materials.order_by("pk")[:2]
    ]


def _steps(case: Case, *, upto_stage: int | None = None) -> None:
    """Agree on every active step (until `upto_stage`), as each step's holder."""
    for _round in range(10):
        case.refresh_from_db()
        if case.current_stage is None or (upto_stage is not None and case.current_stage >= upto_stage):
            return
        for t in case.tasks.filter(status=TaskStatus.ACTIVE):
            actor = _task_actor(t)
            if actor is None:
                return
            case_step_decide(task=t, actor=actor, kind="agree", reasons=_reason(t))


def load(stdout: Any) -> None:
    applicants = list(User.objects.filter(role=Role.APPLICANT, username__in=["zhang", "company"]).order_by("username"))
    if not applicants:
        stdout.write("cases: the orgs demo has not run; skipped\n")
        return
    if Case.objects.filter(applicant__in=applicants).exists():
        stdout.write("cases: demo cases already present\n")
        return
    items: list[Any] = list(
        Item.objects.filter(
            published__status=VersionStatus.PUBLISHED,
            published__is_public=True,
            published__item_type__in=APPLICABLE_ITEM_TYPES,  # no one applies for a penalty
            published__online_depth__gte=ONLINE_ACCEPTANCE_DEPTH,
        )
        .select_related("published", "department")
        .order_by("pk")
    )
    committed = [i for i in items if i.published and i.published.case_kind == CaseKind.COMMITTED]
    spot = [i for i in items if i.published and i.published.case_kind == CaseKind.ON_THE_SPOT]
    parallel = [i for i in committed if any(st.steps.count() > 1 for st in i.published.process.stages.all())]
    with_specials = [i for i in committed if i.published.special_procedures.exists()]
    if not committed:
        stdout.write("cases: no published demo items; skipped\n")
        return
    now = timezone.now()
    made: dict[str, int] = {}
    codes: list[str] = []

    def new(item: Any, i: int, days_ago: float = 0) -> Any:
        clerk = _staff(item.department_id, Role.CLERK, Role.DEPT_HEAD)
        applicant = applicants[i % len(applicants)]
        case: Any
        with _at(now - timedelta(days=days_ago)):
            case, code = case_submit(actor=applicant, item=item, form_data=_form(applicant, i), files=_files(item))
        codes.append(f"{case.tracking_number} {code}  {item.published.name}")
        case.demo_clerk = clerk
        return case

    def step(label: str, fn: Any) -> None:
        try:
            fn()
            made[label] = made.get(label, 0) + 1
        except (ValidationError, PermissionDenied, AttributeError) as e:
            stdout.write(f"cases: demo {label} skipped: {e}\n")

    def pick(n: int) -> Any:
        return committed[n % len(committed)]

    # 1. fresh applications awaiting intake
    for n in range(3):
        step("submitted", lambda n=n: new(pick(n), n, days_ago=n * 0.5))

    # 2. one-time supplement notice
    def supplement() -> None:
        c = new(pick(3), 3, days_ago=2)
        if c is None:
            raise RuntimeError("invariant: c is not None")
        with _at(now - timedelta(days=1)):
            case_request_supplement(
                case=c, actor=c.demo_clerk, missing=[m.pk for m in c.version.materials.all()[:2]] or ["身份证明"]
            )

    step("supplement_requested", supplement)

    # 3. deemed acceptance (nobody acted within 5 working days of receipt)
    step("deemed_accepted", lambda: new(pick(4), 4, days_ago=12))
    deemed_acceptance_run(now=now)

    # 4. in review, on time; and one overdue (started 40 days ago)
    def in_review(idx: int, days_ago: float, through: bool = False, item: Any = None) -> Any:
        c = new(item or pick(idx), idx, days_ago=days_ago)
        if c is None:
            raise RuntimeError("invariant: c is not None")
        clerk = c.demo_clerk
        with _at(now - timedelta(days=days_ago - 0.1)):
            c = case_accept(case=c, actor=clerk)
            if through:
                _steps(c)
        fresh: Any = Case.objects.get(pk=c.pk)
        fresh.demo_clerk = clerk
        return fresh

    step("in_review", lambda: in_review(5, 1))
    step("in_review_overdue", lambda: in_review(6, 40))

    # an extension approved by the agency head, told to the applicant (CAS-3)
    def extended() -> None:
        c = in_review(16, 8)
        head = _staff(c.department_id, Role.DEPT_HEAD)
        case_extend(case=c, actor=head, kind="agency_head", reason="需组织现场核查，现场核查需协调多个部门。")

    step("extended", extended)

    # a fee listed for the item, at the lower bound of its standard, paid (CAT-7)
    with_fees = [i for i in committed if i.published.fees.exists()]
    if with_fees:

        def fee_paid() -> None:
            c = in_review(17, 2, item=with_fees[0])
            fee = c.version.fees.order_by("pk").first()
            fee_charge_record(case=c, actor=c.demo_clerk, fee=fee, amount=fee.lower, receipt_number="QX2026-000128")

        step("fee_paid", fee_paid)

    # 5. paused for a special procedure
    if with_specials:

        def paused() -> None:
            item = with_specials[0]
            c = new(item, 7, days_ago=4)
            if c is None:
                raise RuntimeError("invariant: c is not None")
            with _at(now - timedelta(days=3)):
                c = case_accept(case=c, actor=c.demo_clerk)
                proc = item.published.special_procedures.first()
                head = _staff(item.department_id, Role.DEPT_HEAD, Role.REVIEWER)
                case_pause(
                    case=c, actor=head, reason=proc.kind, expected_days=min(5, proc.max_days), note="委托检测机构"
                )

        step("paused", paused)

    # 6. parallel stage with a silent department deemed to consent
    if parallel:

        def deemed_consent() -> None:
            item = parallel[0]
            c = new(item, 8, days_ago=30)
            if c is None:
                raise RuntimeError("invariant: c is not None")
            with _at(now - timedelta(days=29.9)):
                c = case_accept(case=c, actor=c.demo_clerk)
            for _round in range(6):
                c.refresh_from_db()
                active = list(c.tasks.filter(status=TaskStatus.ACTIVE))
                if not active or active[0].parallel:
                    break
                with _at(now - timedelta(days=28)):
                    _steps(c, upto_stage=(c.current_stage or 0) + 1)
            c.refresh_from_db()
            joint = list(c.tasks.filter(status=TaskStatus.ACTIVE, parallel=True))
            with _at(now - timedelta(days=27)):
                for t in joint[:-1]:
                    actor = _task_actor(t)
                    if actor:
                        case_step_decide(task=t, actor=actor, kind="agree", reasons=_reason(t))
            deemed_consent_run(now=now)

        step("deemed_consent", deemed_consent)

    # 7. decided (approved), delivered, closed
    def decided(idx: int, days_ago: float, then: str) -> None:
        c = in_review(idx, days_ago, through=True)
        decider = _staff(c.department_id, Role.DEPT_HEAD, Role.REVIEWER)
        with _at(now - timedelta(days=days_ago - 1)):
            case_decide(case=c, actor=decider, outcome="approve")
            c.refresh_from_db()
            if then in ("delivered", "closed"):
                case_deliver(case=c, actor=c.demo_clerk or decider, method="in_person", recipient=c.applicant_name)
                c.refresh_from_db()
            if then == "closed":
                case_close(case=c, actor=c.demo_clerk or decider)

    step("decided_approved", lambda: decided(9, 3, "decided"))
    step("delivered", lambda: decided(10, 6, "delivered"))
    step("closed", lambda: decided(11, 9, "closed"))

    # 8. refusal with its negative-decision report; a report awaiting the leader
    def refused() -> None:
        c = in_review(12, 5, through=True)
        reviewer = _staff(c.department_id, Role.REVIEWER, Role.CLERK)
        head = _staff(c.department_id, Role.DEPT_HEAD)
        with _at(now - timedelta(days=3)):
            r = case_negative_report_submit(
                case=c, actor=reviewer, kind="refusal", reasons="经营场所与申请材料不符，现场核查不通过。"
            )
            case_negative_report_review(report=r, actor=head, approve=True, comment="同意不予许可。")
            c.refresh_from_db()
            case_decide(case=c, actor=reviewer, outcome="refuse", reasons="经营场所与申请材料不符，现场核查不通过。")

    step("decided_refused", refused)

    def pending_report() -> None:
        c = new(pick(13), 13, days_ago=1)
        if c is None:
            raise RuntimeError("invariant: c is not None")
        case_negative_report_submit(
            case=c, actor=c.demo_clerk, kind="non_acceptance", reasons="申请事项不属于本机关职权范围。"
        )

    step("pending_negative_report", pending_report)

    def refused_at_intake() -> None:
        c = new(pick(14), 14, days_ago=2)
        if c is None:
            raise RuntimeError("invariant: c is not None")
        head = _staff(c.department_id, Role.DEPT_HEAD)
        r = case_negative_report_submit(
            case=c, actor=c.demo_clerk, kind="non_acceptance", reasons="申请事项属于住建部门职权。"
        )
        case_negative_report_review(report=r, actor=head, approve=True, comment="同意。")
        c.refresh_from_db()
        case_refuse_at_intake(
            case=c,
            actor=c.demo_clerk,
            ground="not_competent",
            reasons="申请事项属于住建部门职权。",
            competent_agency="青溪市住房和城乡建设局",
        )

    step("refused_at_intake", refused_at_intake)

    # 9. withdrawn; on-the-spot
    def withdrawn() -> None:
        c = new(pick(15), 0, days_ago=1)
        if c is None:
            raise RuntimeError("invariant: c is not None")
        case_withdraw(case=c, actor=c.applicant, reason="信息填写有误，重新申请。")

    step("withdrawn", withdrawn)
    if spot:

        def on_the_spot() -> None:
            c = new(spot[0], 1, days_ago=0.2)
            if c is None:
                raise RuntimeError("invariant: c is not None")
            case_accept(case=c, actor=c.demo_clerk)

        step("on_the_spot", on_the_spot)

    # an enquiry at the window about another bureau's item, referred with its address (CAS-8)
    def enquiry() -> None:
        clerk = _staff(committed[0].department_id, Role.CLERK)
        enquiry_register(
            actor=clerk,
            visitor_name="赵先生",
            visitor_phone="13900000077",
            question="新建厂房的建筑工程施工许可怎么办理？",
            outcome="referred",
            referred_office="青溪市住房和城乡建设局",
            referred_address="青溪市人民路 8 号市民中心 2 楼 12 号窗口",
            referred_contact="0571-88880012",
        )

    step("enquiry", enquiry)

    stdout.write(f"cases: {Case.objects.count()} demo cases: {', '.join(f'{k} {v}' for k, v in made.items())}\n")
    stdout.write("cases: tracking numbers and verification codes for /track/:\n")
    for line in codes:
        stdout.write(f"  {line}\n")
