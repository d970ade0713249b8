"""A bulletin's files: PDF (reportlab, tables and a bar chart drawn with reportlab.graphics) and
Excel (openpyxl, with a native chart).
"""

from __future__ import annotations

__all__ = [
    "bulletin_excel",
    "bulletin_file_response",
    "bulletin_pdf",
]

import io
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Alignment, Font, PatternFill
from reportlab.graphics.charts.barcharts import HorizontalBarChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from xiaoneng.core.pdf import pdf_font
from xiaoneng.supervision.bulletins.figures import figures_of
from xiaoneng.supervision.choices import BulletinKind
from xiaoneng.supervision.messages import bulletin_title
from xiaoneng.supervision.models import Bulletin
from xiaoneng.supervision.permissions import access_bulletin_by_id, can_read_bulletins


# --- PDF ------------------------------------------------------------------------------------------
def bulletin_pdf(bulletin: Bulletin) -> bytes:
    """The bulletin as PDF: heading, number, summary, the index table, a bar chart of the scores, the
    public warning list and the complaints and ratings figures."""

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

    f = figures_of(bulletin)
    wb = Workbook()
    ws = wb.active
    if ws is None:
        raise RuntimeError("invariant: ws is not None")
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
    b = access_bulletin_by_id(user, pk)
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
