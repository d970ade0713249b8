"""Pages of cases: the applicant's side (apply, my cases, case page, supplement, withdraw), the public
tracking look-up, and the staff workbench (queue, case page with the actions allowed to me, window
intake, enquiries, negative-decision reports, ledger). Every write calls a service."""

from __future__ import annotations

__all__ = ["ledger_allowed", "public_clock", "public_steps"]

from datetime import date, timedelta
from typing import Any

from django import forms as djforms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.core.files.storage import default_storage
from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from xiaoneng.cases.actions.decision import case_close, case_decide, case_deliver, case_withdraw
from xiaoneng.cases.actions.enquiries import enquiry_register
from xiaoneng.cases.actions.fees import fee_charge_record
from xiaoneng.cases.actions.intake import (
    CORRECTABLE,
    case_accept,
    case_correct_on_the_spot,
    case_refuse_at_intake,
    case_register_at_window,
    case_submit,
    published_version,
)
from xiaoneng.cases.actions.materials import MAX_FILES, material_validate
from xiaoneng.cases.actions.negative import case_negative_report_review, case_negative_report_submit
from xiaoneng.cases.actions.steps import case_step_absent, case_step_sign
from xiaoneng.cases.actions.supplement import case_request_supplement, case_supplement
from xiaoneng.cases.actions.timing import case_extend, case_pause, case_resume
from xiaoneng.cases.choices import APPLICABLE_ITEM_TYPES, ONLINE_ACCEPTANCE_DEPTH, OpinionKind, Status, TaskStatus
from xiaoneng.cases.forms import (
    ApplicationForm,
    DecideForm,
    DeliverForm,
    EnquiryForm,
    ExtendForm,
    FeeForm,
    NegativeReportForm,
    OpinionForm,
    PauseForm,
    RefuseForm,
    ReviewForm,
    TrackForm,
)
from xiaoneng.cases.ledger import HEADERS, ledger_rows, ledger_workbook
from xiaoneng.cases.models import Case, Opinion
from xiaoneng.cases.pdf import notice_pdf
from xiaoneng.cases.permissions import (
    access_case_by_id,
    access_material_by_id,
    access_negative_report_by_id,
    access_notice_by_id,
    access_task_by_id,
    case_actions,
    step_sign_decides,
)
from xiaoneng.cases.selectors import (
    case_clocks,
    case_timeline,
    cases_for_user,
    clock_title,
    enquiries_for_user,
    negative_reports_for_user,
    queue_for_user,
    track_lookup,
)
from xiaoneng.catalog.choices import VersionStatus
from xiaoneng.catalog.models import Item, Material
from xiaoneng.catalog.selectors import disposal_blocks, disposal_notice
from xiaoneng.core.http import AuthedRequest
from xiaoneng.core.pagination import paginate
from xiaoneng.core.throttle import throttle
from xiaoneng.core.uploads import PendingUploads, submission_token_new, submission_token_valid
from xiaoneng.orgs.choices import DEPARTMENT_ROLES, Role


def _applicant(request: AuthedRequest) -> None:
    if request.user.role != Role.APPLICANT:
        raise PermissionDenied(_("该页面仅供申请人使用。"))


def _department_staff(request: AuthedRequest) -> None:
    if not (request.user.is_superuser or request.user.role in DEPARTMENT_ROLES):
        raise PermissionDenied(_("该页面仅供部门工作人员使用。"))


def ledger_allowed(user: Any) -> bool:
    return bool(user.is_superuser or (user.role in DEPARTMENT_ROLES and user.department_id))


def _posted_id(data: Any, name: str) -> int:
    """A row id posted by a form: anything but a plain number within the database's range names no
    row (0), so its look-up is a 404, never a 500."""
    raw = str(data.get(name, ""))
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 19 else 0


def _errors(request: HttpRequest, e: ValidationError) -> None:
    for m in e.messages:
        messages.error(request, m)


def _uploads(request: HttpRequest, version_id: int) -> list[tuple[Material | None, Any]]:
    """Files posted as material_<id> (one per listed material) or extra (any number)."""
    out: list[tuple[Material | None, Any]] = []
    mats = {m.pk: m for m in Material.objects.filter(version_id=version_id)}
    for key in request.FILES:
        for f in request.FILES.getlist(key):
            if key.startswith("material_") and key[9:].isdigit() and int(key[9:]) in mats:
                out.append((mats[int(key[9:])], f))
            else:
                out.append((None, f))
    return out


# --- applicant -------------------------------------------------------------------------------


def _applicable_items() -> Any:
    """Published public items a person or company may apply for online (the same conditions the
    service checks: CAT-1, the item type, 三级·网上受理 or deeper)."""
    return (
        Item.objects.filter(
            published__status=VersionStatus.PUBLISHED,
            published__is_public=True,
            published__item_type__in=APPLICABLE_ITEM_TYPES,
            published__online_depth__gte=ONLINE_ACCEPTANCE_DEPTH,
        )
        # CAT-DIS-2: a cancelled, delegated or entrusted item is not offered from its effective date
        .filter(Q(disposal="") | Q(disposal_date__gt=timezone.localdate()))
        .select_related("published", "department")
        .order_by("department__name", "published__name")
    )


def apply_index(request: HttpRequest) -> HttpResponse:
    """在线申请: every item open for online application, a page at a time with the total, and a
    search box over the item's name, its implementing code and its department."""
    q = request.GET.get("q", "").strip()[:50]
    items = _applicable_items()
    if q:
        items = items.filter(
            Q(published__name__icontains=q) | Q(implementing_code__icontains=q) | Q(department__name__icontains=q)
        )
    page = paginate(request, items.order_by("department__name", "published__name", "pk"))
    return render(request, "cases/apply_index.html", {"items": page.object_list, "page": page, "q": q})


# which listed material each kept file was chosen for (xiaoneng.core.uploads keeps the files)
KEPT_MATERIALS_KEY = "xn_case_kept_materials"
EXTRA = "extra"  # files posted under any other name: "other materials"


def _kept_materials(request: HttpRequest) -> dict[str, dict[str, Any]]:
    kept = request.session.get(KEPT_MATERIALS_KEY)
    return kept if isinstance(kept, dict) else {}


def _keep_uploads(
    request: HttpRequest, pending: PendingUploads, materials: dict[int, Material]
) -> dict[str, list[str]]:
    """Check each newly chosen file as the service will (type, size, content) and keep the valid
    ones for the next round; the messages for the bad ones, by material (or EXTRA)."""
    errors: dict[str, list[str]] = {}
    kept = _kept_materials(request)
    by_id = kept.setdefault(pending.token, {})
    for key in request.FILES:
        mid = int(key[9:]) if key.startswith("material_") and key[9:].isdigit() else None
        slot = str(mid) if mid in materials else EXTRA
        for upload in request.FILES.getlist(key):
            try:
                material_validate(upload)
            except ValidationError as e:
                errors.setdefault(slot, []).extend(e.messages)
                continue
            if len(pending) >= MAX_FILES:
                errors.setdefault(EXTRA, []).append(_("一次最多上传 %(n)d 个文件。") % {"n": MAX_FILES})
                continue
            by_id[pending.keep(upload).id] = None if slot == EXTRA else int(slot)
    for token in list(kept)[:-5]:  # as PendingUploads: the newest few forms only
        if token != pending.token:
            kept.pop(token)
    request.session[KEPT_MATERIALS_KEY] = kept
    return errors


def _kept_opened(
    request: HttpRequest, pending: PendingUploads, materials: dict[int, Material]
) -> list[tuple[Material | None, Any]]:
    """The kept files, opened from storage and read as uploads, each with the material it was chosen
    for (as PendingUploads.opened()); the caller closes them."""
    slots = _kept_materials(request).get(pending.token, {})
    files: list[tuple[Material | None, Any]] = []
    for kept_file in pending.files():
        if default_storage.exists(kept_file.path):
            handle = File(default_storage.open(kept_file.path, "rb"), name=kept_file.name)
            handle.content_type = kept_file.content_type  # type: ignore[attr-defined]
            files.append((materials.get(slots.get(kept_file.id) or 0), handle))
    return files


def _kept_discard(request: HttpRequest, pending: PendingUploads) -> None:
    """After a successful submission: the kept files and their materials are forgotten."""
    pending.discard()
    kept = _kept_materials(request)
    kept.pop(pending.token, None)
    request.session[KEPT_MATERIALS_KEY] = kept


def _apply_page(
    request: AuthedRequest,
    item: Item,
    form: ApplicationForm,
    token: str,
    pending: PendingUploads | None,
    errors: dict[str, list[str]],
) -> HttpResponse:
    version = item.published
    if version is None:
        raise RuntimeError("invariant: version is not None")
    files = pending.files() if pending is not None else []
    slots = _kept_materials(request).get(token, {}) if pending is not None else {}
    materials = list(version.materials.all())
    rows = [
        {"material": m, "kept": [f for f in files if slots.get(f.id) == m.pk], "errors": errors.get(str(m.pk), [])}
        for m in materials
    ]
    listed = {m.pk for m in materials}
    return render(
        request,
        "cases/apply.html",
        {
            "item": item,
            "version": version,
            "form": form,
            "token": token,
            "rows": rows,
            "extra_kept": [f for f in files if slots.get(f.id) not in listed],
            "extra_errors": errors.get(EXTRA, []),
        },
    )


@login_required
def apply(request: AuthedRequest, code: str) -> HttpResponse:
    """Apply online for a published item (CAT-1). Every error comes in one round — the form's, each
    file's and the service's — and the files already chosen are kept across it (issue 9): a failed
    round lists them as "已上传" with 移除, so the applicant does not choose them again."""
    _applicant(request)
    item = _applicable_items().filter(implementing_code=code).first()
    if item is None:
        # CAT-DIS-2: a published public item cancelled, delegated or entrusted says why, and where
        # to apply now, instead of "not found" (410: it was here and is gone).
        gone = (
            Item.objects.filter(
                implementing_code=code, published__status=VersionStatus.PUBLISHED, published__is_public=True
            )
            .exclude(disposal="")
            .select_related("published", "department", "disposal_region", "disposal_item__published")
            .order_by("tenant_id")
            .first()
        )
        if gone is not None and disposal_blocks(gone):
            context = {"item": gone, "version": gone.published, "disposal": disposal_notice(gone)}
            return render(request, "cases/apply_blocked.html", context, status=410)
        raise Http404(_("该事项未公布、不存在或不支持网上申请。"))
    version = item.published
    if version is None:
        raise RuntimeError("invariant: version is not None")
    if request.method != "POST":
        initial = {
            "applicant_name": request.user.display_name or request.user.username,
            "phone": request.user.phone or "",
        }
        return _apply_page(request, item, ApplicationForm(initial=initial), submission_token_new(), None, {})
    token = request.POST.get("submission_token", "")
    if not submission_token_valid(token):  # an old page, or tampered with: the files start afresh
        token = submission_token_new()
    pending = PendingUploads(request, token)
    materials = {m.pk: m for m in version.materials.all()}
    remove = request.POST.get("remove_upload", "")
    if remove:  # 移除 next to a kept file: the form comes back as it was, without error messages
        pending.remove(remove)
        form = ApplicationForm(initial={k: request.POST.get(k, "") for k in ApplicationForm.base_fields})
        return _apply_page(request, item, form, token, pending, _keep_uploads(request, pending, materials))
    form = ApplicationForm(request.POST)
    form.is_valid()
    errors = _keep_uploads(request, pending, materials)
    if not form.errors and not errors:
        files = _kept_opened(request, pending, materials)
        try:
            case, code_plain = case_submit(actor=request.user, item=item, form_data=form.cleaned_data, files=files)
        except ValidationError as e:
            if hasattr(e, "error_dict"):
                for field, errs in e.message_dict.items():
                    form.add_error(field if field in form.fields else None, errs)
            else:
                form.add_error(None, e.messages)
        else:
            _kept_discard(request, pending)
            messages.success(
                request,
                _("申请已提交。办件编号 %(n)s，查询码 %(c)s（只显示这一次，已短信发送给您）。")
                % {"n": case.tracking_number, "c": code_plain},
            )
            return redirect("cases:case", pk=case.pk)
        finally:
            for _material, handle in files:
                handle.close()
    if len(pending):
        form.add_error(None, _("申请未提交，请按提示更正后再次提交；已选择的文件已保存，无需重新选择。"))
    else:
        form.add_error(None, _("申请未提交，请按提示更正后再次提交。"))
    return _apply_page(request, item, form, token, pending, errors)


@login_required
def my_cases(request: AuthedRequest) -> HttpResponse:
    _applicant(request)
    page = paginate(request, cases_for_user(request.user).filter(applicant=request.user))
    return render(request, "cases/my_cases.html", {"cases": page.object_list, "page": page})


def _case_context(request: AuthedRequest, case: Case, staff: bool) -> dict[str, Any]:
    clocks = case_clocks(case)
    for c in clocks:
        setattr(c, "title", clock_title(c))  # noqa: B010 -- a display attribute for the template
    tasks = list(
        case.tasks.select_related("department", "assignee", "clock", "written_clock", "step").prefetch_related(
            "opinions"
        )
    )
    decision_clock = next((c for c in clocks if c.pk == case.decision_clock_id), None)
    headline = decision_clock or next((c for c in clocks if c.pk == case.acceptance_clock_id), None)
    # CAS-4: while the clock stands still, the page says why and for how long (as the notice did)
    open_pause = next((p for p in headline.pauses.all() if p.ended_at is None), None) if headline else None
    return {
        "case": case,
        "clocks": clocks,
        "open_clocks": [c for c in clocks if c.is_open],
        "closed_clocks": [c for c in clocks if not c.is_open],
        "headline_clock": headline,
        "open_pause": open_pause,
        "past_committed": bool(
            decision_clock
            and decision_clock.is_open
            and decision_clock.due_at
            and decision_clock.due_at < timezone.now()
        ),
        "current_tasks": [t for t in tasks if t.status == TaskStatus.ACTIVE],
        "timeline": case_timeline(case, clocks, staff=staff),
        "tasks": tasks,
        "notices": list(case.notices.all()),
        "materials": list(case.materials.all()),
        "supplement": case.supplement_notices.first(),
        "decision": getattr(case, "decision", None),
    }


@login_required
def case_page(request: AuthedRequest, pk: int) -> HttpResponse:
    """The applicant's page: status, each step, every deadline with "why this date", timeline."""
    _applicant(request)
    case = access_case_by_id(request.user, pk)
    ctx = _case_context(request, case, staff=False)
    ctx["can_withdraw"] = case_actions(request.user, case, ctx["tasks"])["withdraw"]
    return render(request, "cases/case.html", ctx)


@login_required
@require_POST
def supplement(request: AuthedRequest, pk: int) -> HttpResponse:
    case = access_case_by_id(request.user, pk)
    try:
        case_supplement(case=case, actor=request.user, files=_uploads(request, case.version_id))
        messages.success(request, _("补正材料已提交。"))
    except ValidationError as e:
        _errors(request, e)
    return redirect("cases:case" if request.user.role == Role.APPLICANT else "cases:staff_case", pk=pk)


@login_required
@require_POST
def withdraw(request: AuthedRequest, pk: int) -> HttpResponse:
    case = access_case_by_id(request.user, pk)
    if "version" in request.POST and request.POST["version"].isdigit():
        case.lock_version = int(request.POST["version"])
    try:
        case_withdraw(case=case, actor=request.user, reason=request.POST.get("reason", ""))
        messages.success(request, _("申请已撤回。"))
    except ValidationError as e:
        _errors(request, e)
    return redirect("cases:case", pk=pk)


@login_required
def material_download(request: AuthedRequest, pk: int, material_id: int) -> FileResponse:
    """Materials live outside the web root: served only to those who may see the case."""
    row = access_material_by_id(request.user, material_id, case_id=pk)
    return FileResponse(row.file.open("rb"), as_attachment=True, filename=row.original_name)


@login_required
def notice_download(request: AuthedRequest, pk: int) -> HttpResponse:
    notice = access_notice_by_id(request.user, pk)
    resp = HttpResponse(notice_pdf(notice), content_type="application/pdf")
    resp["Content-Disposition"] = f'inline; filename="notice-{notice.pk}.pdf"'
    return resp


def public_steps(case: Case) -> list[dict[str, str]]:
    """What anyone with the code may see: each stage, its state and the day it was done; no names,
    no personal data."""

    def day(dt: Any) -> str:
        return timezone.localtime(dt).strftime("%Y-%m-%d") if dt else ""

    done = str(_("已完成"))
    steps = [{"name": str(_("收件")), "state": done, "date": day(case.received_at)}]
    if case.accepted_at:
        state = str(_("视为受理")) if case.deemed_accepted else done
        steps.append({"name": str(_("受理")), "state": state, "date": day(case.accepted_at)})
    elif case.status == Status.REFUSED_AT_INTAKE:
        steps.append({"name": str(_("受理")), "state": str(_("不予受理")), "date": day(case.closed_at)})
    for t in case.tasks.all().order_by("stage_index", "id"):
        steps.append(
            {"name": f"{t.stage_name}·{t.name}", "state": str(t.get_status_display()), "date": day(t.completed_at)}
        )
    if case.decided_at:
        steps.append({"name": str(_("作出决定")), "state": done, "date": day(case.decided_at)})
    if case.delivered_at:
        steps.append({"name": str(_("送达")), "state": done, "date": day(case.delivered_at)})
    if case.status == Status.CLOSED:
        steps.append({"name": str(_("办结")), "state": done, "date": day(case.closed_at)})
    if case.status == Status.WITHDRAWN:
        steps.append({"name": str(_("申请人撤回")), "state": done, "date": day(case.closed_at)})
    return steps


@throttle("track", when=lambda r: bool(r.GET.get("tracking_number") or r.GET.get("code")))  # issue 9
def track(request: HttpRequest) -> HttpResponse:
    """Public tracking by tracking number + verification code, with no personal data."""
    form = TrackForm(request.GET or None)
    case = None
    not_found = False
    if request.GET and form.is_valid():
        case = track_lookup(form.cleaned_data["tracking_number"], form.cleaned_data["code"])
        not_found = case is None
    clock = public_clock(case) if case else None
    return render(
        request,
        "cases/track.html",
        {
            "form": form,
            "case": case,
            "steps": public_steps(case) if case else [],
            "not_found": not_found,
            "clock": clock,
            "clock_name": clock_title(clock) if clock else "",
        },
    )


def public_clock(case: Case) -> Any:
    """The deadline the public look-up shows (SUP-4: a late case is explained publicly): the decision
    clock once accepted, else the acceptance window; none once the case ended without a decision."""
    if case.status in (Status.WITHDRAWN, Status.REFUSED_AT_INTAKE):
        return None
    return case.decision_clock or case.acceptance_clock


# --- staff -----------------------------------------------------------------------------------


@login_required
def queue(request: AuthedRequest) -> HttpResponse:
    """My queue, next due first, coloured by the clock (SUP-1)."""
    _department_staff(request)
    f: dict[str, Any] = {
        "status": request.GET.get("status", ""),
        "item": request.GET.get("item", "").strip(),
        "overdue": request.GET.get("overdue") == "1",
    }
    rows = queue_for_user(request.user, status=f["status"], item=f["item"], overdue=f["overdue"])
    page = paginate(request, rows)  # ordered by urgency: page 1 holds the most urgent work
    return render(
        request, "cases/queue.html", {"rows": page.object_list, "page": page, "f": f, "statuses": Status.choices}
    )


@login_required
def staff_case(request: AuthedRequest, pk: int) -> HttpResponse:
    """The staff case page: timeline, clocks, and only the actions allowed to me."""
    if not (request.user.is_staff_member or request.user.is_superuser):
        raise PermissionDenied(_("该页面仅供工作人员使用。"))
    case = access_case_by_id(request.user, pk)
    ctx = _case_context(request, case, staff=True)
    ctx["actions"] = case_actions(request.user, case, ctx["tasks"])
    # the head's "agree" on the last open step is the approval decision itself (case_step_sign)
    tasks = ctx["tasks"]
    last_stage = max((t.stage_index for t in tasks), default=None)
    for t in ctx["actions"]["opinion_tasks"]:
        others_open = any(o.pk != t.pk and o.status in (TaskStatus.ACTIVE, TaskStatus.PENDING) for o in tasks)
        decides = (
            t.status == TaskStatus.ACTIVE
            and t.stage_index == last_stage
            and not others_open
            and step_sign_decides(request.user, case, t)
        )
        setattr(t, "decides", decides)  # noqa: B010 -- a display attribute for the template
    ctx["actions_any"] = any(bool(v) for v in ctx["actions"].values())
    ctx["forms"] = {
        "correct": ApplicationForm(initial=case.form_data, prefix="correct"),
        # one id namespace per form: several are on the page at once and share field names
        "refuse": RefuseForm(auto_id="refuse_%s"),
        "opinion": OpinionForm(),
        "pause": PauseForm(auto_id="pause_%s"),
        "extend": ExtendForm(auto_id="extend_%s"),
        "negative": NegativeReportForm(
            initial={"applicant_contact": f"{case.applicant_name} {case.applicant_phone}"}, auto_id="negative_%s"
        ),
        "decide": DecideForm(),
        "deliver": DeliverForm(initial={"recipient": case.applicant_name}),
        "fee": FeeForm(),
    }
    ctx["fees"] = list(case.version.fees.all())
    ctx["version_materials"] = list(case.version.materials.all())
    ctx["fee_charges"] = list(case.fee_charges.select_related("fee"))
    return render(request, "cases/staff_case.html", ctx)


def _do(request: AuthedRequest, case: Case, name: str) -> str:
    """Run one action from the staff case page; returns the success message."""
    p = request.POST
    u = request.user

    def form(cls: type[djforms.Form]) -> dict[str, Any]:
        f = cls(p)
        if not f.is_valid():
            raise ValidationError(
                [f"{f.fields[k].label if k in f.fields else ''}：{m}" for k, ms in f.errors.items() for m in ms]
            )
        return f.cleaned_data

    if name == "correct":
        # the service validates with the same application form (and its messages) as the API
        data = {k: p.get(f"correct-{k}", "") for k in CORRECTABLE}
        case_correct_on_the_spot(case=case, actor=u, form_data=data)
        return _("申请内容已当场更正。")
    if name == "accept":
        case_accept(case=case, actor=u)
        return _("已受理，受理通知书已生成。")
    if name == "supplement_request":
        missing: list[Any] = [int(x) for x in p.getlist("missing") if x.isdigit()]
        missing += [line.strip() for line in p.get("missing_other", "").splitlines() if line.strip()]
        case_request_supplement(case=case, actor=u, missing=missing, note=p.get("note", ""))
        return _("一次性告知书已生成。")
    if name == "refuse":
        d = form(RefuseForm)
        case_refuse_at_intake(case=case, actor=u, **d)
        return _("已作出不予受理决定。")
    if name == "negative":
        d = form(NegativeReportForm)
        case_negative_report_submit(case=case, actor=u, **d)
        return _("否定报备已提交，等待领导审核。")
    if name == "opinion":
        d = form(OpinionForm)
        task = access_task_by_id(u, _posted_id(p, "task"), case_id=case.pk)
        # what the user saw: a task decided meanwhile gives the conflict message
        seen = p.get("task_status") if p.get("task_status") in TaskStatus.values else None
        _opinion, decision = case_step_sign(task=task, actor=u, kind=d["kind"], reasons=d["reasons"], seen_status=seen)
        if decision is not None:  # the head's approval on the last step is the decision
            return _("已同意，准予行政许可决定已作出，决定书已生成。")
        return _("办理意见已签署。")
    if name == "absent":
        task = access_task_by_id(u, _posted_id(p, "task"), case_id=case.pk)
        case_step_absent(task=task, actor=u)
        return _("已登记缺席默认同意。")
    if name == "pause":
        d = form(PauseForm)
        case_pause(case=case, actor=u, **d)
        return _("特别程序已启动，告知书已生成。")
    if name == "resume":
        case_resume(case=case, actor=u)
        return _("已恢复计时。")
    if name == "extend":
        d = form(ExtendForm)
        case_extend(case=case, actor=u, **d)
        return _("已延期，延期告知书已生成。")
    if name == "decide":
        d = form(DecideForm)
        case_decide(case=case, actor=u, **d)
        return _("决定已作出，决定书已生成。")
    if name == "deliver":
        d = form(DeliverForm)
        case_deliver(case=case, actor=u, **d)
        return _("已送达。")
    if name == "close":
        case_close(case=case, actor=u)
        return _("已办结。")
    if name == "fee":
        d = form(FeeForm)
        fee_charge_record(case=case, actor=u, **d)
        return _("缴费已登记。")
    raise Http404


@login_required
@require_POST
def staff_action(request: AuthedRequest, pk: int, name: str) -> HttpResponse:
    if not (request.user.is_staff_member or request.user.is_superuser):
        raise PermissionDenied(_("该操作仅供工作人员使用。"))
    case = access_case_by_id(request.user, pk)
    version = request.POST.get("version", "")
    if version.isdigit():
        case.lock_version = int(version)  # the version the clerk saw: a stale page loses cleanly
    try:
        messages.success(request, _do(request, case, name))
    except ValidationError as e:
        _errors(request, e)
    except PermissionDenied as e:
        messages.error(request, str(e) or _("没有权限执行此操作。"))
    return redirect("cases:staff_case", pk=pk)


def _window_page(
    request: AuthedRequest,
    items: Any,
    form: ApplicationForm,
    token: str,
    pending: PendingUploads,
    chosen: str,
    item_errors: list[str],
    file_errors: list[str],
) -> HttpResponse:
    # CAT-DIS-2: the dropdown leaves out an item cancelled, delegated or entrusted from its effective
    # date (one announced for a later date is still offered); a stale page that posts one anyway is
    # refused with the reason (published_version), since the POST looks the item up among all of them.
    offered = items.filter(Q(disposal="") | Q(disposal_date__gt=timezone.localdate()))
    return render(
        request,
        "cases/window.html",
        {
            "form": form,
            "items": offered,
            "token": token,
            "chosen": chosen,
            "item_errors": item_errors,
            "file_errors": file_errors,
            "pending": pending.files(),
        },
    )


@login_required
def window(request: AuthedRequest) -> HttpResponse:
    """Window intake: register an application on the applicant's behalf. As the online form (issue 9),
    every error comes in one round — the item, the fields, each file and the service's rules — and the
    files the clerk already chose are kept across it, in the clerk's session (xiaoneng.core.uploads),
    listed as "已上传" with 移除."""
    if not (request.user.is_superuser or request.user.role in (Role.CLERK, Role.DEPT_HEAD)):
        raise PermissionDenied(_("该页面仅供窗口工作人员使用。"))
    items = Item.objects.filter(
        department_id=request.user.department_id or 0, published__status=VersionStatus.PUBLISHED
    ).select_related("published")
    if request.method != "POST":
        token = submission_token_new()
        return _window_page(request, items, ApplicationForm(), token, PendingUploads(request, token), "", [], [])
    token = request.POST.get("submission_token", "")
    if not submission_token_valid(token):  # an old page, or tampered with: the files start afresh
        token = submission_token_new()
    pending = PendingUploads(request, token)
    raw = str(request.POST.get("item", ""))
    item = items.filter(pk=int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 19 else 0).first()
    chosen = str(item.pk) if item is not None else ""
    materials = {m.pk: m for m in Material.objects.filter(version_id=item.published_id)} if item else {}

    def file_errors() -> list[str]:
        return [m for messages_ in _keep_uploads(request, pending, materials).values() for m in messages_]

    remove = request.POST.get("remove_upload", "")
    if remove:  # 移除 next to a kept file: the form comes back as it was, without error messages
        pending.remove(remove)
        form = ApplicationForm(initial={k: request.POST.get(k, "") for k in ApplicationForm.base_fields})
        return _window_page(request, items, form, token, pending, chosen, [], file_errors())
    form = ApplicationForm(request.POST)
    form.is_valid()
    item_errors: list[str] = []
    if item is None:
        item_errors.append(_("请选择本部门已公布的事项。"))
    else:
        try:  # CAT-1 and the item's type, checked now so that it comes with the other errors
            published_version(item, online=False)
        except ValidationError as e:
            item_errors.extend(e.messages)
    upload_errors = file_errors()
    if item is not None and not item_errors and not form.errors and not upload_errors:
        files = _kept_opened(request, pending, materials)
        try:
            case, code = case_register_at_window(
                actor=request.user, item=item, form_data=form.cleaned_data, files=files
            )
        except ValidationError as e:
            if hasattr(e, "error_dict"):
                for field, errs in e.message_dict.items():
                    form.add_error(field if field in form.fields else None, errs)
            else:
                form.add_error(None, e.messages)
        else:
            _kept_discard(request, pending)
            messages.success(
                request,
                _("已收件：办件编号 %(n)s，查询码 %(c)s（请交给申请人）。") % {"n": case.tracking_number, "c": code},
            )
            return redirect("cases:staff_case", pk=case.pk)
        finally:
            for _material, handle in files:
                handle.close()
    if len(pending):
        form.add_error(None, _("未收件，请按提示更正后再次提交；已选择的文件已保存，无需重新选择。"))
    else:
        form.add_error(None, _("未收件，请按提示更正后再次提交。"))
    return _window_page(request, items, form, token, pending, chosen, item_errors, upload_errors)


@login_required
def enquiries(request: AuthedRequest) -> HttpResponse:
    """First-contact responsibility (CAS-8): register and list enquiries; print the referral slip."""
    _department_staff(request)
    form = EnquiryForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            e = enquiry_register(actor=request.user, **form.cleaned_data)
        except ValidationError as err:
            if hasattr(err, "error_dict"):
                for field, errs in err.message_dict.items():
                    form.add_error(field if field in form.fields else None, errs)
            else:
                form.add_error(None, err.messages)
        else:
            messages.success(
                request,
                _("首问登记 %(n)s 已保存。") % {"n": e.number}
                + (_("告知单已生成，请在下方列表中点击“打印告知单”。") if e.referred_office else ""),
            )
            return redirect("cases:enquiries")
    page = paginate(request, enquiries_for_user(request.user).prefetch_related("notices"))
    picker = form.fields["referred_department"]
    if not isinstance(picker, djforms.ModelChoiceField):
        raise TypeError("invariant: a ModelChoiceField")
    if picker.queryset is None:
        raise RuntimeError("invariant: picker.queryset is not None")
    directory = {str(d.pk): {"name": d.name, "address": d.address, "phone": d.phone} for d in picker.queryset}
    return render(
        request,
        "cases/enquiries.html",
        {"form": form, "items": page.object_list, "page": page, "directory": directory},
    )


@login_required
def negative_reports(request: AuthedRequest) -> HttpResponse:
    """CAS-6: reports awaiting the responsible leader."""
    if not (request.user.is_superuser or request.user.role in (Role.DEPT_HEAD, Role.LEADER)):
        raise PermissionDenied(_("该页面仅供负责领导使用。"))
    if request.method == "POST":
        report = access_negative_report_by_id(request.user, _posted_id(request.POST, "report"))
        form = ReviewForm(request.POST)
        if form.is_valid():
            try:
                case_negative_report_review(report=report, actor=request.user, **form.cleaned_data)
                messages.success(request, _("审核意见已保存。"))
            except (ValidationError, PermissionDenied) as e:
                messages.error(request, "；".join(e.messages) if isinstance(e, ValidationError) else str(e))
        else:
            messages.error(request, _("请选择审核意见。"))
        return redirect("cases:negative_reports")
    page = paginate(request, negative_reports_for_user(request.user))
    reports = list(page.object_list)
    # CAS-6: the leader decides on the departments' own words: every opinion other than a plain "agree"
    opinions: dict[int, list[Opinion]] = {}
    for o in (
        Opinion.objects.filter(task__case_id__in=[r.case_id for r in reports])
        .exclude(kind=OpinionKind.AGREE)
        .select_related("task__department")
        .order_by("task__stage_index", "pk")
    ):
        opinions.setdefault(o.task.case_id, []).append(o)
    for r in reports:
        setattr(r, "dissent", opinions.get(r.case_id, []))  # noqa: B010 -- display attribute
    return render(request, "cases/negative_reports.html", {"reports": reports, "page": page, "form": ReviewForm()})


@login_required
def ledger(request: AuthedRequest) -> HttpResponse:
    """The department's ledger (台账) by period, exported to Excel."""
    if not ledger_allowed(request.user):
        raise PermissionDenied(_("只有部门工作人员可以导出台账。"))
    today = timezone.localdate()
    start_s, end_s = request.GET.get("start", ""), request.GET.get("end", "")
    rows: list[list[Any]] | None = None
    if start_s and end_s:
        try:
            start, end = date.fromisoformat(start_s), date.fromisoformat(end_s)
            if request.GET.get("format") == "xlsx":
                data = ledger_workbook(user=request.user, start=start, end=end)
                resp = HttpResponse(
                    data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
                )
                resp["Content-Disposition"] = f'attachment; filename="ledger-{start}-{end}.xlsx"'
                return resp
            rows = ledger_rows(user=request.user, start=start, end=end)
        except ValueError:
            messages.error(request, _("日期格式不正确。"))
        except ValidationError as e:
            _errors(request, e)
    page = paginate(request, rows) if rows is not None else None  # the Excel export has every row
    return render(
        request,
        "cases/ledger.html",
        {
            "start": start_s or (today - timedelta(days=30)).isoformat(),
            "end": end_s or today.isoformat(),
            "rows": page.object_list if page is not None else None,
            "page": page,
            "headers": [str(h) for h in HEADERS],
        },
    )
