"""Bulletins (效能通报): monthly and quarterly per region. A draft shows the live figures; issuing
(the efficiency office's action) numbers the bulletin and freezes a snapshot of the figures, so a
later recompute of the index never changes an issued bulletin. Downloads: PDF (reportlab, with
tables and a bar chart drawn with reportlab.graphics) and Excel (openpyxl, with a native chart)."""

from __future__ import annotations

__all__ = [
    "bulletin_create",
    "bulletin_excel",
    "bulletin_figures",
    "bulletin_file_response",
    "bulletin_for",
    "bulletin_issue",
    "bulletin_pdf",
    "bulletins_for",
    "can_issue_bulletins",
    "can_read_bulletins",
    "period_label",
    "period_start",
]

import io
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from xiaoneng.core.scoping import restrict
from xiaoneng.core.services import tracking_number_next
from xiaoneng.core.trail import event_append
from xiaoneng.orgs.models import Region

from .choices import (
    BULLETIN_ISSUER_ROLES,
    SUPERVISOR_ROLES,
    BulletinKind,
    BulletinStatus,
    DeductionSource,
    Grade,
    WarningLevel,
)
from .efficiency import efficiency_compute, grade_for, policy_for, quarter_months
from .models import Alert, Bulletin, Deduction, EfficiencyScore, QuarterGrade
from .selectors import CARD_KEYS, card_counts

# --- who ------------------------------------------------------------------------------------------


def can_read_bulletins(user: Any) -> bool:
    """Leaders and the efficiency office of the region read bulletins."""
    return bool(user and user.is_authenticated and (user.is_superuser or user.role in SUPERVISOR_ROLES))


def can_issue_bulletins(user: Any) -> bool:
    """Issuing is the efficiency office's action (效能办)."""
    return bool(user and user.is_authenticated and (user.is_superuser or user.role in BULLETIN_ISSUER_ROLES))


def bulletins_for(user: Any) -> QuerySet[Bulletin]:
    if not can_read_bulletins(user):
        return Bulletin.objects.none()
    return restrict(Bulletin.objects.select_related("region", "issued_by"), user)


def bulletin_for(user: Any, pk: int) -> Bulletin:
    return get_object_or_404(bulletins_for(user), pk=pk)


# --- periods --------------------------------------------------------------------------------------


def period_start(kind: str, d: date) -> date:
    if kind == BulletinKind.QUARTERLY:
        return date(d.year, 3 * ((d.month - 1) // 3) + 1, 1)
    return d.replace(day=1)


def period_months(kind: str, period: date) -> list[date]:
    if kind == BulletinKind.QUARTERLY:
        return quarter_months(period.year, (period.month - 1) // 3 + 1)
    return [period]


def period_label(kind: str, period: date) -> str:
    if kind == BulletinKind.QUARTERLY:
        return _("%(y)s年第%(q)s季度") % {"y": period.year, "q": (period.month - 1) // 3 + 1}
    return _("%(y)s年%(m)s月") % {"y": period.year, "m": period.month}


# --- the figures ----------------------------------------------------------------------------------


def _subtree(prefix: str, region: Region) -> Q:
    return Q(**{f"{prefix}path": region.path}) | Q(**{f"{prefix}path__startswith": region.path + "/"})


def _num(x: Decimal | None) -> float | None:
    return None if x is None else float(x)


def bulletin_figures(region: Region, kind: str, period: date) -> dict[str, Any]:
    """Everything a bulletin shows, as plain JSON (what `bulletin_issue` freezes)."""
    from xiaoneng.complaints.models import Complaint
    from xiaoneng.complaints.selectors import department_stats
    from xiaoneng.ratings.models import Rating
    from xiaoneng.ratings.selectors import rating_metrics

    months = period_months(kind, period)
    policy = policy_for(region.tenant_id)
    scores = list(
        EfficiencyScore.objects.filter(_subtree("region__", region), month__in=months)
        .select_related("department", "region")
        .order_by("department__name", "month")
    )
    deductions: dict[int, dict[str, Decimal]] = {}
    for score_id, source, points in Deduction.objects.filter(score__in=[s.pk for s in scores]).values_list(
        "score_id", "source", "points"
    ):
        deductions.setdefault(score_id, {})[source] = points
    units: dict[int, dict[str, Any]] = {}
    for s in scores:
        u = units.setdefault(
            s.department_id,
            {
                "department": s.department.name,
                "department_id": s.department_id,
                "region": s.region.name,
                "monthly": {},
                "deductions": {},
                "warning": 0,
                "frozen": True,
                "alerts": {"remind": 0, "yellow": 0, "red": 0},
            },
        )
        u["monthly"][s.month.strftime("%Y-%m")] = float(s.score)
        for src, pts in deductions.get(s.pk, {}).items():
            u["deductions"][src] = round(u["deductions"].get(src, 0.0) + float(pts), 1)
        u["warning"] = max(u["warning"], s.warning)
        u["frozen"] = u["frozen"] and s.frozen
    grades = {
        g.department_id: g
        for g in QuarterGrade.objects.filter(
            department_id__in=list(units), year=period.year, quarter=(period.month - 1) // 3 + 1
        )
    }
    rows = []
    for dept_id, u in units.items():
        values = list(u["monthly"].values())
        mean = (Decimal(str(sum(values))) / len(values)).quantize(Decimal("0.1"))
        u["score"] = float(mean)
        u["deducted"] = round(sum(u["deductions"].values()), 1)
        u["warning_label"] = str(WarningLevel(u["warning"]).label)
        if kind == BulletinKind.QUARTERLY:
            g = grades.get(dept_id)
            code = g.grade if g is not None else grade_for(mean, policy)
            u["grade"] = str(Grade(code).label)
            u["grade_code"] = code
        rows.append(u)
    rows.sort(key=lambda u: (-u["score"], u["department"]))
    rank, last = 0, None
    for i, u in enumerate(rows, start=1):
        if u["score"] != last:
            rank, last = i, u["score"]
        u["rank"] = rank
    # SUP-1 alerts in a bulletin are counted on the index's deduction basis (SUP-5): each obligation
    # once a month at the highest level it reached, read from the scores' own figures. A 通报 is the
    # efficiency office's account of the index: a unit's "黄牌 2" must be the two yellow cards its
    # deductions were taken for, or the unit will (rightly) dispute the figure. The raw number of
    # alert records (a reminder, then a yellow, then a red card on one overdue case is 3 records but
    # one red-card obligation) is an operational figure with its own page, the alert list; printing
    # both side by side in a bulletin invites exactly the dispute this avoids.
    # The cards come from the one definition (selectors.card_counts), which the index's own
    # deductions use too: a unit's "黄牌 2" here is what its −5 × 2 was taken for, and the same number
    # the dashboard and the leader's page show for the month.
    cards = card_counts(months=months, region=region, alerts=Alert.objects.all())
    for u in rows:
        u["alerts"] = dict(cards["by_department"].get(u["department_id"], u["alerts"]))
        del u["department_id"]
    alerts = {k: cards[k] for k in CARD_KEYS}
    end = months[-1].replace(day=28) + timedelta(days=4)
    end = end - timedelta(days=end.day)
    cfig = department_stats(Complaint.objects.filter(_subtree("region__", region)), start=months[0], end=end)
    rfig = rating_metrics(Rating.objects.filter(_subtree("department__region__", region)), start=months[0], end=end)
    c = {
        k: sum(getattr(f, k) for f in cfig)
        for k in ("total", "due_reply", "replied", "on_time", "callbacks", "satisfied")
    }
    r = {
        k: sum(getattr(m, k) for m in rfig) for k in ("total", "active", "satisfied", "bad", "rectified", "called_back")
    }

    def pct(n: int, d: int) -> float | None:
        return round(100.0 * n / d, 1) if d else None

    return {
        "region": region.name,
        "region_code": region.code,
        "kind": kind,
        "period": period.isoformat(),
        "period_label": period_label(kind, period),
        "months": [m.strftime("%Y-%m") for m in months],
        "as_of": timezone.localtime().strftime("%Y-%m-%d %H:%M"),
        "final": bool(rows) and all(u["frozen"] for u in rows),
        "sources": [[s.value, str(s.label)] for s in DeductionSource],
        "units": rows,
        "summary": {
            "units": len(rows),
            "average": round(sum(u["score"] for u in rows) / len(rows), 1) if rows else None,
            "composite": sum(1 for u in rows if u["warning"] >= WarningLevel.COMPOSITE),
            "public": sum(1 for u in rows if u["warning"] >= WarningLevel.PUBLIC),
            "fail": sum(1 for u in rows if u.get("grade_code") == Grade.FAIL),
        },
        "public_list": [
            {"department": u["department"], "score": u["score"], "warning": u["warning_label"]}
            for u in rows
            if u["warning"] >= WarningLevel.PUBLIC
        ],
        "alerts": alerts,
        "alerts_basis": "obligation",  # each obligation once a month at its highest level (SUP-5)
        "complaints": {
            **c,
            "on_time_rate": pct(c["on_time"], c["due_reply"]),  # complaints.selectors.reply_late_q
            "satisfaction_rate": pct(c["satisfied"], c["callbacks"]),
        },
        "ratings": {
            **r,
            "satisfaction_rate": pct(r["satisfied"], r["total"]),
            "rectification_rate": pct(r["rectified"], r["bad"]),
            "callback_rate": pct(r["called_back"], r["bad"]),
        },
        "policy": {
            "base": _num(policy.base),
            "composite_below": _num(policy.composite_below),
            "public_below": _num(policy.public_below),
            "grades": [_num(policy.grade_excellent), _num(policy.grade_good), _num(policy.grade_pass)],
        },
    }


# --- writes ---------------------------------------------------------------------------------------


def _in_scope(actor: Any, region: Region) -> bool:
    if actor.is_superuser:
        return True
    mine = actor.region.path if actor.region_id else None
    return mine is not None and (region.path == mine or region.path.startswith(mine + "/"))


def bulletin_create(*, actor: Any, region: Region, kind: str, period: date, remarks: str = "") -> Bulletin:
    """A draft bulletin for `region` and the month or quarter containing `period`."""
    if not can_issue_bulletins(actor) or not _in_scope(actor, region):
        raise PermissionDenied(_("只有本辖区效能办可以起草通报。"))
    if kind not in BulletinKind.values:
        raise ValidationError({"kind": _("通报类型应为月度或季度。")})
    start = period_start(kind, period)
    if start > timezone.localdate():
        raise ValidationError({"period": _("不能为尚未开始的期间起草通报。")})
    title = _("%(region)s%(period)s效能通报") % {"region": region.name, "period": period_label(kind, start)}
    try:
        with transaction.atomic():
            b = Bulletin.objects.create(
                tenant_id=region.tenant_id or region.pk,
                region=region,
                kind=kind,
                period=start,
                title=title,
                remarks=(remarks or "").strip(),
                created_by=actor,
            )
            event_append(
                subject=b, action="bulletin.created", actor=actor, after={"kind": kind, "period": start.isoformat()}
            )
    except IntegrityError:
        raise ValidationError(_("该区划该期间的通报已存在。")) from None
    return b


def bulletin_issue(*, bulletin: Bulletin, actor: Any, remarks: str | None = None) -> Bulletin:
    """Issue (印发): refresh the period's index where it is not frozen, number the bulletin and freeze
    the figures in `snapshot`. An issued bulletin never changes again."""
    if not can_issue_bulletins(actor) or not _in_scope(actor, bulletin.region):
        raise PermissionDenied(_("印发通报是效能办的职责。"))
    with transaction.atomic():
        b = Bulletin.objects.select_for_update().select_related("region").get(pk=bulletin.pk)
        if b.status != BulletinStatus.DRAFT:
            raise ValidationError(_("该通报已印发，不能再次印发。"), code="state")
        tenant = Region.objects.get(pk=b.region.tenant_id or b.region.pk)
        for m in period_months(b.kind, b.period):
            efficiency_compute(tenant=tenant, month=m, actor=actor)  # a frozen month is left as it is
        figures = bulletin_figures(b.region, b.kind, b.period)
        if not figures["units"]:
            raise ValidationError(_("该期间尚无效能指数数据，不能印发。"), code="empty")
        if remarks is not None:
            b.remarks = remarks.strip()
        b.snapshot = figures
        b.number = tracking_number_next(tenant=b.region, prefix="XNTB")
        b.status = BulletinStatus.ISSUED
        b.issued_at = timezone.now()
        b.issued_by = actor
        b.save(update_fields=["remarks", "snapshot", "number", "status", "issued_at", "issued_by", "updated_at"])
        event_append(
            subject=b,
            action="bulletin.issued",
            actor=actor,
            before={"status": BulletinStatus.DRAFT},
            after={"status": b.status, "number": b.number, "units": len(figures["units"])},
        )
    return b


def bulletin_title(bulletin: Bulletin) -> str:
    """The title in the active language (the stored `title` keeps the Chinese it was drafted with)."""
    return _("%(region)s%(period)s效能通报") % {
        "region": bulletin.region.name,
        "period": period_label(bulletin.kind, bulletin.period),
    }


def _localised(f: dict[str, Any]) -> dict[str, Any]:
    """The figures with every label rendered in the active language from the codes stored beside it
    (a snapshot frozen the labels in the language of whoever issued it; the codes are what count)."""
    f = {**f, "units": [dict(u) for u in f.get("units", [])]}
    if f.get("kind") in BulletinKind.values and f.get("period"):
        f["period_label"] = period_label(f["kind"], date.fromisoformat(f["period"]))
    f["sources"] = [
        [code, str(DeductionSource(code).label) if code in DeductionSource.values else label]
        for code, label in f.get("sources", [])
    ]
    for u in f["units"]:
        if u.get("warning") in WarningLevel.values:
            u["warning_label"] = str(WarningLevel(u["warning"]).label)
        if u.get("grade_code") in Grade.values:
            u["grade"] = str(Grade(u["grade_code"]).label)
    if f["units"]:
        f["public_list"] = [
            {"department": u["department"], "score": u["score"], "warning": u["warning_label"]}
            for u in f["units"]
            if u["warning"] >= WarningLevel.PUBLIC
        ]
    return f


def figures_of(bulletin: Bulletin) -> dict[str, Any]:
    """An issued bulletin shows its frozen snapshot; a draft the live figures; either with its labels
    in the reader's language."""
    if bulletin.status == BulletinStatus.ISSUED and bulletin.snapshot:
        return _localised(bulletin.snapshot)
    return _localised(bulletin_figures(bulletin.region, bulletin.kind, bulletin.period))


# --- PDF ------------------------------------------------------------------------------------------


def bulletin_pdf(bulletin: Bulletin) -> bytes:
    """The bulletin as PDF: heading, number, summary, the index table, a bar chart of the scores, the
    public warning list and the complaints and ratings figures."""
    from reportlab.graphics.charts.barcharts import HorizontalBarChart
    from reportlab.graphics.shapes import Drawing, String
    from reportlab.lib import colors
    from reportlab.lib.enums import TA_CENTER
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    from xiaoneng.core.pdf import pdf_font

    f = figures_of(bulletin)
    font = pdf_font()
    title_style = ParagraphStyle("t", fontName=font, fontSize=18, leading=26, alignment=TA_CENTER)
    sub = ParagraphStyle("s", fontName=font, fontSize=10.5, leading=16, alignment=TA_CENTER)
    h2 = ParagraphStyle("h", fontName=font, fontSize=13, leading=20, spaceBefore=8, spaceAfter=4)
    body = ParagraphStyle("b", fontName=font, fontSize=10.5, leading=17, firstLineIndent=21)
    cell = ParagraphStyle("c", fontName=font, fontSize=9, leading=12)
    buf = io.BytesIO()
    doc = SimpleDocTemplate(
        buf,
        pagesize=A4,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
        title=bulletin_title(bulletin),
        author=f["region"],
        initialFontName=font,  # issue 9: no page names a font it does not embed (Helvetica)
    )
    story: list[Any] = [Paragraph(bulletin_title(bulletin), title_style)]
    number = bulletin.number or _("（草稿，未印发）")
    when = timezone.localtime(bulletin.issued_at).strftime("%Y-%m-%d") if bulletin.issued_at else f["as_of"]
    story.append(Paragraph(f"{number}　　{when}", sub))
    story.append(Spacer(1, 6 * mm))
    s = f["summary"]
    summary = _(
        "%(period)s，%(region)s共%(n)s个单位参加效能指数测评，平均得分%(avg)s分；综合预警%(c)s个，"
        "列入公开预警名单%(p)s个。"
    ) % {
        "period": f["period_label"],
        "region": f["region"],
        "n": s["units"],
        "avg": s["average"] if s["average"] is not None else "—",
        "c": s["composite"],
        "p": s["public"],
    }
    if f.get("alerts_basis") == "obligation":
        summary += _(
            "计入效能指数的预警事项：提醒%(r)s项、黄牌%(y)s项、红牌%(red)s项（每个事项每月按最高级别计一次）。"
        ) % {"r": f["alerts"]["remind"], "y": f["alerts"]["yellow"], "red": f["alerts"]["red"]}
    else:  # a bulletin issued before: it counted alert records
        summary += _("期间共触发提醒%(r)s次、黄牌%(y)s张、红牌%(red)s张。") % {
            "r": f["alerts"]["remind"],
            "y": f["alerts"]["yellow"],
            "red": f["alerts"]["red"],
        }
    story.append(Paragraph(summary, body))
    if not f["final"]:
        story.append(Paragraph(_("注：本期数据截至%(t)s，月度结束后封存。") % {"t": f["as_of"]}, body))
    if bulletin.remarks:
        story.append(Paragraph(bulletin.remarks.replace("\n", "<br/>"), body))
    quarterly = f["kind"] == BulletinKind.QUARTERLY
    story.append(Paragraph(_("一、效能指数排名"), h2))
    # headers and labels as Paragraphs, so a longer language wraps inside its cell instead of overrunning it
    head = [
        Paragraph(h, cell)
        for h in [_("名次"), _("单位"), _("得分"), _("扣分"), _("提醒/黄牌/红牌（事项）"), _("预警")]
        + ([_("等次")] if quarterly else [])
    ]
    data: list[list[Any]] = [head]
    for u in f["units"]:
        a = u.get("alerts")
        row = [
            u["rank"],
            Paragraph(u["department"], cell),
            f"{u['score']:.1f}",
            f"{u['deducted']:.1f}",
            f"{a['remind']} / {a['yellow']} / {a['red']}" if a else "—",
            Paragraph(u["warning_label"], cell),
        ]
        if quarterly:
            row.append(Paragraph(u.get("grade", ""), cell))
        data.append(row)
    widths = [12 * mm, 44 * mm, 18 * mm, 20 * mm, 28 * mm, 26 * mm] + ([20 * mm] if quarterly else [])
    table = Table(data, colWidths=widths, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), font),
                ("FONTSIZE", (0, 0), (-1, -1), 9),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef7")),
                ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#8a94a6")),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("ALIGN", (2, 1), (3, -1), "RIGHT"),
            ]
        )
    )
    story.append(table)
    # the chart: scores by unit, lowest at the bottom (reportlab.graphics)
    units = f["units"][:20]
    if units:
        height = 40 + 16 * len(units)
        d = Drawing(170 * mm, height + 20, initialFontName=font)
        chart = HorizontalBarChart()
        chart.x, chart.y = 70 * mm, 10
        chart.width, chart.height = 90 * mm, height
        chart.data = [[u["score"] for u in reversed(units)]]
        chart.categoryAxis.categoryNames = [u["department"][:14] for u in reversed(units)]
        chart.categoryAxis.labels.fontName = font
        chart.categoryAxis.labels.fontSize = 8
        chart.categoryAxis.labels.boxAnchor = "e"
        chart.valueAxis.valueMin = 0
        chart.valueAxis.valueMax = float(f["policy"]["base"] or 100)
        chart.valueAxis.valueStep = 10
        chart.valueAxis.labels.fontName = font
        chart.valueAxis.labels.fontSize = 8
        chart.bars[0].fillColor = colors.HexColor("#1565c0")
        chart.barLabels.fontName = font
        chart.barLabels.fontSize = 7
        chart.barLabelFormat = "%.1f"
        chart.barLabels.boxAnchor = "w"
        chart.barLabels.dx = 3
        d.add(chart)
        d.add(String(0, height + 8, _("各单位效能指数得分"), fontName=font, fontSize=10))
        story.append(Spacer(1, 4 * mm))
        story.append(d)
    story.append(Paragraph(_("二、公开预警名单"), h2))
    if f["public_list"]:
        pl = [[_("单位"), _("得分"), _("预警")]] + [
            [Paragraph(p["department"], cell), f"{p['score']:.1f}", p["warning"]] for p in f["public_list"]
        ]
        t2 = Table(pl, colWidths=[90 * mm, 25 * mm, 30 * mm])
        t2.setStyle(
            TableStyle(
                [
                    ("FONTNAME", (0, 0), (-1, -1), font),
                    ("FONTSIZE", (0, 0), (-1, -1), 9),
                    ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#8a94a6")),
                    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#fbe9e7")),
                ]
            )
        )
        story.append(t2)
    else:
        story.append(Paragraph(_("本期无单位列入公开预警名单。"), body))
    story.append(Paragraph(_("三、投诉与评价"), h2))
    c, r = f["complaints"], f["ratings"]

    def pct(v: float | None) -> str:
        return "—" if v is None else f"{v}%"

    t3 = Table(
        [
            [
                Paragraph(_("投诉工单"), cell),
                c["total"],
                Paragraph(_("按时答复率"), cell),
                pct(c["on_time_rate"]),
                Paragraph(_("回访满意率"), cell),
                pct(c["satisfaction_rate"]),
            ],
            [
                Paragraph(_("服务评价"), cell),
                r["total"],
                Paragraph(_("满意率"), cell),
                pct(r["satisfaction_rate"]),
                Paragraph(_("差评整改率"), cell),
                pct(r["rectification_rate"]),
            ],
        ],
        colWidths=[30 * mm, 14 * mm, 34 * mm, 18 * mm, 36 * mm, 18 * mm],
    )
    t3.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), font),
                ("FONTSIZE", (0, 0), (-1, -1), 9),
                ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#8a94a6")),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ]
        )
    )
    story.append(t3)
    story.append(Spacer(1, 8 * mm))
    story.append(
        Paragraph(
            _("计分规则：月度基准分%(base)s分；综合预警线%(c)s分，公开预警线%(p)s分。")
            % {"base": f["policy"]["base"], "c": f["policy"]["composite_below"], "p": f["policy"]["public_below"]},
            cell,
        )
    )
    doc.build(story)
    return buf.getvalue()


# --- Excel ----------------------------------------------------------------------------------------


def bulletin_excel(bulletin: Bulletin) -> bytes:
    """The bulletin as an Excel workbook: the index table with a native bar chart, the deductions by
    source, and the complaints and ratings figures."""
    from openpyxl import Workbook
    from openpyxl.chart import BarChart, Reference
    from openpyxl.styles import Alignment, Font, PatternFill

    f = figures_of(bulletin)
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = _("效能指数")
    ws["A1"] = bulletin_title(bulletin)
    ws["A1"].font = Font(size=14, bold=True)
    ws["A2"] = f"{bulletin.number or _('（草稿，未印发）')}  {f['period_label']}  {_('数据截至')} {f['as_of']}"
    quarterly = f["kind"] == BulletinKind.QUARTERLY
    head = [_("名次"), _("单位"), _("区划"), _("得分"), _("扣分"), _("预警")]
    if quarterly:
        head += [*f["months"], _("等次")]
    ws.append([])
    ws.append(head)
    header_row = ws.max_row
    for cell in ws[header_row]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="E8EEF7")
        cell.alignment = Alignment(horizontal="center")
    for u in f["units"]:
        row = [u["rank"], u["department"], u["region"], u["score"], u["deducted"], u["warning_label"]]
        if quarterly:
            row += [u["monthly"].get(m) for m in f["months"]] + [u.get("grade", "")]
        ws.append(row)
    last_row = ws.max_row
    ws.column_dimensions["B"].width = 28
    ws.column_dimensions["C"].width = 12
    if f["units"]:
        chart = BarChart()
        chart.type = "bar"
        chart.title = _("各单位效能指数得分")
        chart.y_axis.title = _("得分")
        chart.y_axis.scaling.min = 0
        chart.y_axis.scaling.max = float(f["policy"]["base"] or 100)
        data = Reference(ws, min_col=4, min_row=header_row, max_row=last_row)
        cats = Reference(ws, min_col=2, min_row=header_row + 1, max_row=last_row)
        chart.add_data(data, titles_from_data=True)
        chart.set_categories(cats)
        chart.height = max(7.5, 0.6 * len(f["units"]) + 3)
        chart.width = 18
        ws.add_chart(chart, f"{'K' if quarterly else 'H'}{header_row}")
    ws2 = wb.create_sheet(_("扣分明细"))
    sources = f["sources"]
    alert_heads = [_("提醒（事项）"), _("黄牌（事项）"), _("红牌（事项）")]
    ws2.append([_("单位")] + [label for _code, label in sources] + [_("合计")] + alert_heads)
    for cell in ws2[1]:
        cell.font = Font(bold=True)
    for u in f["units"]:
        a = u.get("alerts") or {}
        ws2.append(
            [u["department"]]
            + [u["deductions"].get(code, 0) for code, _label in sources]
            + [u["deducted"]]
            + [a.get("remind"), a.get("yellow"), a.get("red")]
        )
    ws2.column_dimensions["A"].width = 28
    ws3 = wb.create_sheet(_("投诉与评价"))
    by_obligation = f.get("alerts_basis") == "obligation"
    c, r = f["complaints"], f["ratings"]
    for row in [
        [_("指标"), _("数值")],
        [_("投诉工单"), c["total"]],
        [_("应答复"), c["due_reply"]],
        [_("已答复"), c["replied"]],
        [_("按时答复"), c["on_time"]],
        [_("按时答复率（%）"), c["on_time_rate"]],
        [_("回访满意率（%）"), c["satisfaction_rate"]],
        [_("服务评价"), r["total"]],
        [_("主动评价"), r["active"]],
        [_("满意率（%）"), r["satisfaction_rate"]],
        [_("差评"), r["bad"]],
        [_("差评整改率（%）"), r["rectification_rate"]],
        [_("差评回访率（%）"), r["callback_rate"]],
        # the index's basis (each obligation once a month at its highest level); older bulletins: records
        [_("提醒（事项）") if by_obligation else _("提醒"), f["alerts"]["remind"]],
        [_("黄牌（事项）") if by_obligation else _("黄牌"), f["alerts"]["yellow"]],
        [_("红牌（事项）") if by_obligation else _("红牌"), f["alerts"]["red"]],
    ]:
        ws3.append(row)
    ws3["A1"].font = Font(bold=True)
    ws3["B1"].font = Font(bold=True)
    ws3.column_dimensions["A"].width = 20
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def bulletin_file_response(user: Any, pk: int, fmt: str) -> HttpResponse:
    """The bulletin as a PDF (shown inline) or an Excel file (downloaded), for the page and the API
    alike: readers only, within their scope."""
    if not can_read_bulletins(user):
        raise PermissionDenied
    if fmt not in ("pdf", "xlsx"):
        raise Http404
    b = bulletin_for(user, pk)
    name = f"bulletin-{b.number or f'draft-{b.pk}'}"
    if fmt == "pdf":
        resp = HttpResponse(bulletin_pdf(b), content_type="application/pdf")
        resp["Content-Disposition"] = f'inline; filename="{name}.pdf"'
        return resp
    resp = HttpResponse(
        bulletin_excel(b), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    resp["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
    return resp
