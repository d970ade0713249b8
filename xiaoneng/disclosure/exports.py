"""The annual report exported as Excel (openpyxl) and PDF (reportlab, the embedded CJK font of
xiaoneng.core.pdf), with the same four tables and the integrity check as the page."""

from __future__ import annotations

__all__ = ["report_pdf", "report_xlsx"]

import io
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from xiaoneng.core.pdf import pdf_font
from xiaoneng.disclosure.report import APPEAL_COLUMNS, COLUMNS, AnnualReport


def _overview_lines(r: AnnualReport) -> list[str]:
    o = r.overview
    return [
        _("本年度主动公开政府信息%(n)d条，其中超过20个工作日公开的%(late)d条。")
        % {"n": o["records_published"], "late": o["records_late"]},
        _("本年度新收政府信息公开申请%(new)d件，办结%(done)d件，其中按期答复%(on_time)d件。")
        % {"new": o["requests_new"], "done": o["requests_answered"], "on_time": o["answers_on_time"]},
    ]


def _check_text(r: AnnualReport) -> str:
    if r.check_ok:
        return _("数据校验通过：本年新收＋上年结转＝办理结果总计＋结转下年度继续办理。")
    return _("数据校验未通过：本年新收＋上年结转≠办理结果总计＋结转下年度继续办理，请核查。")


def _cell(v: Any) -> Any:
    return v if isinstance(v, int) else str(v)


def report_xlsx(r: AnnualReport) -> bytes:
    wb = Workbook()
    ws: Any = wb.active
    ws.title = str(r.year)
    bold = Font(bold=True)
    ws.append([_("%(title)s%(year)d年政府信息公开工作年度报告") % {"title": r.title, "year": r.year}])
    ws["A1"].font = Font(bold=True, size=14)
    ws.append([])
    ws.append([_("一、总体情况")])
    for line in _overview_lines(r):
        ws.append([line])
    ws.append([])
    ws.append([_("二、主动公开政府信息情况")])
    ws.append(
        [
            _("条款"),
            _("信息内容"),
            _("本年制发件数／处理决定数量／收费金额（万元）"),
            _("本年废止件数"),
            _("现行有效件数"),
        ]
    )
    for row in r.table2:
        ws.append(
            [
                str(row["article"]),
                str(row["label"]),
                *[_cell(v) if isinstance(v, int) else float(v) for v in row["values"]],
            ]
        )
    ws.append([])
    ws.append([_("三、收到和处理政府信息公开申请情况")])
    ws.append([_("本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和")])
    ws.append(["", _("申请人情况")])
    ws.append(["", _("自然人"), _("法人或其他组织"), "", "", "", "", _("总计")])
    ws.append(["", *[str(label) for _c, label in COLUMNS]])
    for row in r.table3_rows():
        ws.append([str(row["label"]), *row["values"]])
    ws.append([_check_text(r)])
    ws.append([])
    ws.append([_("四、政府信息公开行政复议、行政诉讼情况")])
    ws.append(["", *[str(label) for _c, label in APPEAL_COLUMNS]])
    for row in r.table4_rows():
        ws.append([str(row["label"]), *row["values"]])
    for cell in ("A3", "A6"):
        ws[cell].font = bold
    ws.column_dimensions["A"].width = 60
    for col in "BCDEFGH":
        ws.column_dimensions[col].width = 14
    for row_cells in ws.iter_rows():
        for c in row_cells:
            c.alignment = Alignment(wrap_text=True, vertical="center")
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def report_pdf(r: AnnualReport) -> bytes:
    font = pdf_font()
    buf = io.BytesIO()
    doc = SimpleDocTemplate(
        buf, pagesize=A4, leftMargin=14 * mm, rightMargin=14 * mm, topMargin=16 * mm, bottomMargin=16 * mm
    )
    doc.title = f"{r.title} {r.year}"
    h1 = ParagraphStyle("h1", fontName=font, fontSize=16, leading=22, alignment=1, wordWrap="CJK")
    h2 = ParagraphStyle("h2", fontName=font, fontSize=12, leading=18, spaceBefore=8, wordWrap="CJK")
    body = ParagraphStyle("body", fontName=font, fontSize=9, leading=13, wordWrap="CJK")
    small = ParagraphStyle("small", fontName=font, fontSize=7.5, leading=10, wordWrap="CJK")
    style = TableStyle(
        [
            ("FONT", (0, 0), (-1, -1), font, 7.5),
            ("GRID", (0, 0), (-1, -1), 0.4, colors.black),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ("ALIGN", (1, 0), (-1, -1), "CENTER"),
        ]
    )
    story: list[Any] = [
        Paragraph(_("%(title)s%(year)d年政府信息公开工作年度报告") % {"title": r.title, "year": r.year}, h1),
        Paragraph(_("一、总体情况"), h2),
        *[Paragraph(line, body) for line in _overview_lines(r)],
        Paragraph(_("二、主动公开政府信息情况"), h2),
    ]
    t2 = [[_("条款"), _("信息内容"), _("数量"), _("本年废止件数"), _("现行有效件数")]]
    for row in r.table2:
        values = [str(v) for v in row["values"]]
        t2.append([str(row["article"]), str(row["label"]), *values, *[""] * (3 - len(values))])
    story.append(Table(t2, colWidths=[38 * mm, 40 * mm, 36 * mm, 30 * mm, 30 * mm], style=style))
    story.append(Paragraph(_("三、收到和处理政府信息公开申请情况"), h2))
    t3: list[list[Any]] = [["", *[Paragraph(str(label), small) for _c, label in COLUMNS]]]
    for row in r.table3_rows():
        t3.append([Paragraph(str(row["label"]), small), *[str(v) for v in row["values"]]])
    story.append(Table(t3, colWidths=[76 * mm, *[15 * mm] * len(COLUMNS)], style=style, repeatRows=1))
    story.append(Spacer(1, 3 * mm))
    story.append(Paragraph(_check_text(r), body))
    story.append(Paragraph(_("四、政府信息公开行政复议、行政诉讼情况"), h2))
    t4: list[list[Any]] = [["", *[str(label) for _c, label in APPEAL_COLUMNS]]]
    for row in r.table4_rows():
        t4.append([Paragraph(str(row["label"]), small), *[str(v) for v in row["values"]]])
    story.append(Table(t4, colWidths=[56 * mm, *[25 * mm] * len(APPEAL_COLUMNS)], style=style))
    doc.build(story)
    return buf.getvalue()
