"""Year-end reports of a scheme: for the jurisdiction (every unit) or one unit. PDF (core.pdf's
embedded font, a bar chart drawn with reportlab.graphics) and Excel (openpyxl, with a native bar
chart). Every score is printed with its sample size and 95% interval; tied units show their band."""

from __future__ import annotations

__all__ = ["report_pdf", "report_rows", "report_xlsx"]

import io
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from xiaoneng.core.pdf import pdf_font
from xiaoneng.evaluation.models import Scheme, UnitResult


def _fmt(v: Any) -> str:
    return "—" if v is None else f"{v:.2f}" if isinstance(v, float) else str(v)


def rank_text(r: UnitResult) -> str:
    if not r.rank:
        return _("数据不足，不排名")
    if r.rank_to > r.rank:
        return _("第%(a)d–%(b)d名（并列）") % {"a": r.rank, "b": r.rank_to}
    return _("第%(a)d名") % {"a": r.rank}


def report_rows(results: list[UnitResult]) -> list[list[str]]:
    rows = []
    for r in results:
        interval = "—" if r.lower is None else f"{r.lower}–{r.upper}"
        rows.append(
            [
                r.department.name,
                r.get_category_display(),
                _fmt(r.score),
                interval,
                rank_text(r),
                f"{r.coverage}",
                _("末位") if r.bottom else "",
            ]
        )
    return rows


def _headers() -> list[str]:
    return [_("单位"), _("类别"), _("综合得分"), _("95%置信区间"), _("名次"), _("有数据指标权重"), _("备注")]


def _detail_rows(r: UnitResult) -> list[list[str]]:
    out = []
    for d in r.details:
        interval = "—" if d.get("lower") is None else f"{d['lower']}–{d['upper']}"
        out.append(
            [
                "　" * int(d.get("depth", 0)) + str(d["name"]),
                f"{d['weight']:g}",
                _fmt(d.get("value")),
                str(d.get("n", 0)),
                interval,
            ]
        )
    return out


def report_xlsx(scheme: Scheme, results: list[UnitResult]) -> bytes:

    wb = Workbook()
    ws = wb.active
    ws.title = _("考评结果")[:31]
    ws.append([scheme.name])
    ws.append(_headers())
    for row in report_rows(results):
        ws.append([_num(x) for x in row])
    n = len(results)
    if n:
        chart = BarChart()
        chart.title = _("综合得分")
        chart.add_data(Reference(ws, min_col=3, min_row=2, max_row=2 + n), titles_from_data=True)
        chart.set_categories(Reference(ws, min_col=1, min_row=3, max_row=2 + n))
        chart.height, chart.width = 8, 18
        ws.add_chart(chart, "I2")
    detail = wb.create_sheet(_("指标明细")[:31])
    detail.append([_("单位"), _("指标"), _("权重"), _("得分"), _("样本量"), _("95%置信区间")])
    for r in results:
        for row in _detail_rows(r):
            detail.append([r.department.name, *[_num(x) for x in row]])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _num(x: str) -> Any:
    try:
        return float(x) if x not in {"", "—"} and x.replace(".", "", 1).isdigit() else x
    except ValueError:  # pragma: no cover
        return x


def report_pdf(scheme: Scheme, results: list[UnitResult], *, unit: UnitResult | None = None) -> bytes:

    font = pdf_font()
    title = ParagraphStyle("t", fontName=font, fontSize=17, leading=24, alignment=TA_CENTER)
    h2 = ParagraphStyle("h", fontName=font, fontSize=12.5, leading=19, spaceBefore=8, spaceAfter=4)
    body = ParagraphStyle("b", fontName=font, fontSize=10, leading=16)
    cell = ParagraphStyle("c", fontName=font, fontSize=8.5, leading=11)
    buf = io.BytesIO()
    doc = SimpleDocTemplate(
        buf, pagesize=A4, leftMargin=16 * mm, rightMargin=16 * mm, topMargin=16 * mm, bottomMargin=16 * mm
    )
    story: list[Any] = []
    heading = (
        scheme.name
        if unit is None
        else _("%(scheme)s · %(unit)s") % {"scheme": scheme.name, "unit": unit.department.name}
    )
    story += [Paragraph(heading, title), Spacer(1, 4 * mm)]
    story.append(
        Paragraph(
            _(
                "说明：每项基于抽样或评价的得分均列出样本量和95%置信区间；置信区间相互重叠的单位视为并列，列为同一档次。"
            ),
            body,
        )
    )

    def table(rows: list[list[str]], widths: list[float]) -> Table:
        t = Table([[Paragraph(str(c), cell) for c in row] for row in rows], colWidths=widths, repeatRows=1)
        t.setStyle(
            TableStyle(
                [
                    ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eef2f7")),
                    ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ]
            )
        )
        return t

    shown = [unit] if unit is not None else results
    story += [
        Paragraph(_("综合得分与排名"), h2),
        table([_headers(), *report_rows(shown)], [40 * mm, 22 * mm, 18 * mm, 26 * mm, 30 * mm, 22 * mm, 14 * mm]),
    ]
    scored = [r for r in results if r.score is not None][:30]
    if scored:
        story.append(Paragraph(_("综合得分（柱状图）"), h2))
        d = Drawing(170 * mm, 70 * mm)
        chart = VerticalBarChart()
        chart.x, chart.y, chart.width, chart.height = 12 * mm, 14 * mm, 150 * mm, 50 * mm
        chart.data = [[float(r.score or 0) for r in scored]]
        chart.valueAxis.valueMin, chart.valueAxis.valueMax = 0, 100
        chart.categoryAxis.categoryNames = [r.department.name[:6] for r in scored]
        chart.categoryAxis.labels.fontName = font
        chart.categoryAxis.labels.fontSize = 6.5
        chart.categoryAxis.labels.angle = 30
        chart.categoryAxis.labels.dy = -8
        chart.bars[0].fillColor = colors.HexColor("#3b6ea5")
        if unit is not None:
            for i, r in enumerate(scored):
                if r.pk == unit.pk:
                    chart.bars[(0, i)].fillColor = colors.HexColor("#d9822b")
        d.add(chart)
        story.append(d)
    for r in shown:
        story += [
            Paragraph(_("指标明细：%(unit)s") % {"unit": r.department.name}, h2),
            table(
                [[_("指标"), _("权重"), _("得分"), _("样本量"), _("95%置信区间")], *_detail_rows(r)],
                [70 * mm, 18 * mm, 22 * mm, 20 * mm, 40 * mm],
            ),
        ]
        if unit is None and len(shown) > 12:
            break  # the jurisdiction report keeps the first units' details; the Excel has them all
    doc.build(story)
    return buf.getvalue()
