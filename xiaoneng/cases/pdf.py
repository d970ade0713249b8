"""PDF rendering of notices (受理通知书, 决定书 …) with reportlab, set in the embedded CJK font of
xiaoneng.core.pdf (the document carries its font, so it reads and prints the same everywhere)."""

from __future__ import annotations

__all__ = ["RATED_NOTICE_KINDS", "notice_pdf"]

import io
import re

from django.utils import timezone
from django.utils.translation import gettext as _
from reportlab.graphics import renderPDF
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas

from xiaoneng.cases.choices import NoticeKind
from xiaoneng.cases.models import Notice
from xiaoneng.core.links import public_link  # the rating page lives above cases: ratings installs it
from xiaoneng.core.pdf import pdf_font

# Chinese typesetting (禁则): these never begin a line; they stay at the end of the previous one
NO_LINE_START = set("，。、；：？！）》」』”’…—,.;:?!)")
RED = (0.78, 0.08, 0.08)
# RAT-1: the decision notices carry the QR code that opens the case's rating page (好差评)
RATED_NOTICE_KINDS = frozenset({NoticeKind.APPROVAL, NoticeKind.REFUSAL})
QR_SIZE = 26 * mm
QR_BOTTOM = 24 * mm


# a run of Latin letters and digits (a tracking number, a date) is not broken across lines
_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9\-./:]*|.", re.DOTALL)


def _wrap(text: str, font: str, size: float, width: float, first_width: float | None = None) -> list[str]:
    """Break a line of Chinese text (no spaces to break on) at the page width (the first line may be
    narrower: its indent): between characters, never inside a run of Latin letters and digits
    (unless it is longer than a line), and never before punctuation that may not begin a line (it
    stays at the end of the previous one)."""
    full_width = width
    width = first_width if first_width is not None else full_width
    lines: list[str] = []
    current = ""
    for token in _TOKEN.findall(text):
        if lines:
            width = full_width
        if not current or token in NO_LINE_START or pdfmetrics.stringWidth(current + token, font, size) <= width:
            current += token
        elif pdfmetrics.stringWidth(token, font, size) > width:
            for ch in token:  # longer than a whole line: break it where it must
                if current and pdfmetrics.stringWidth(current + ch, font, size) > width:
                    lines.append(current)
                    current, width = "", full_width
                current += ch
        else:
            lines.append(current)
            current = token
    if current:
        lines.append(current)
    return lines or [""]


def _heading(c: Canvas, font: str, size: float, x: float, y: float, text: str) -> None:
    """A centred heading set heavier than the body (fill and a thin stroke: the face has one weight)."""
    c.setFont(font, size)
    c.setLineWidth(size / 40)
    text_object = c.beginText()
    text_object.setTextRenderMode(2)
    text_object.setFont(font, size)
    text_object.setTextOrigin(x - pdfmetrics.stringWidth(text, font, size) / 2, y)
    text_object.textOut(text)
    c.drawText(text_object)


def _rating_qr(c: Canvas, font: str, notice: Notice, x: float, y: float) -> None:
    """RAT-1: the QR code of the case's rating page at (x, y), with its caption and the address in
    words for a reader without a scanner. Drawn with reportlab's own QR widget (no extra library)."""

    url = public_link("rating", case=notice.case, via="qr")
    widget = QrCodeWidget(url, barLevel="M", barBorder=0)
    x0, y0, x1, y1 = widget.getBounds()
    drawing = Drawing(QR_SIZE, QR_SIZE, transform=[QR_SIZE / (x1 - x0), 0, 0, QR_SIZE / (y1 - y0), 0, 0])
    drawing.initialFontName = font  # else reportlab's graphics state names Helvetica, a font not embedded
    drawing.add(widget)
    renderPDF.draw(drawing, c, x, y)
    tx = x + QR_SIZE + 4 * mm
    c.setFillColorRGB(0, 0, 0)
    c.setFont(font, 11)
    c.drawString(tx, y + QR_SIZE - 4 * mm, _("扫码评价本次服务（政务服务“好差评”）"))
    c.setFont(font, 9)
    c.drawString(tx, y + QR_SIZE - 10 * mm, _("评价自愿，评价人信息受保护；7日内未评价的默认为“基本满意”。"))
    c.setFont(font, 7)
    for i, line in enumerate(_wrap(url, font, 7, A4[0] - tx - 26 * mm)[:3]):
        c.drawString(tx, y + QR_SIZE - 16 * mm - i * 3.2 * mm, line)


def notice_pdf(notice: Notice) -> bytes:
    """The notice as an A4 PDF in the usual layout of an official notice: the agency's name in red
    over a red rule, the title, the number, the addressee, the body, and the agency and date."""
    font = pdf_font()
    buf = io.BytesIO()
    width, height = A4
    c = Canvas(buf, pagesize=A4, pageCompression=1, initialFontName=font, initialFontSize=14)
    c.setTitle(f"{notice.department.name} {notice.title} {notice.number}")
    c.setAuthor(notice.department.name)
    c.setSubject(notice.title)
    margin = 26 * mm
    usable = width - 2 * margin
    body = 14
    leading = 8.2 * mm

    y = height - 32 * mm
    c.setFillColorRGB(*RED)
    c.setStrokeColorRGB(*RED)
    _heading(c, font, 22, width / 2, y, notice.department.name)
    y -= 7 * mm
    c.setLineWidth(1.6)
    c.line(margin, y, width - margin, y)
    c.setFillColorRGB(0, 0, 0)
    c.setStrokeColorRGB(0, 0, 0)
    y -= 14 * mm
    _heading(c, font, 20, width / 2, y, notice.title)
    y -= 9 * mm
    c.setFont(font, 12)
    c.drawCentredString(width / 2, y, notice.number)
    y -= 14 * mm
    c.setFont(font, body)
    c.drawString(margin, y, _("%(addressee)s：") % {"addressee": notice.addressee})
    y -= leading
    indent = 2 * pdfmetrics.stringWidth("中", font, body)  # the first line of a paragraph: two characters
    for para in notice.lines:
        for i, line in enumerate(_wrap(para, font, body, usable, first_width=usable - indent)):
            if y < 42 * mm:
                c.showPage()
                c.setFont(font, body)
                y = height - 30 * mm
            c.drawString(margin + (indent if i == 0 else 0), y, line)
            y -= leading
        y -= 1.5 * mm
    rated = notice.kind in RATED_NOTICE_KINDS and notice.case_id is not None
    y = min(y - 14 * mm, 72 * mm)
    if rated and y - leading < QR_BOTTOM + QR_SIZE + 6 * mm:
        # the agency and date must not run into the rating QR code: they go on a new page
        c.showPage()
        y = height - 40 * mm
    local = timezone.localtime(notice.issued_at)
    c.setFont(font, body)
    c.drawRightString(width - margin, y, notice.department.name)
    y -= leading
    c.drawRightString(
        width - margin, y, _("%(y)d年%(m)d月%(d)d日") % {"y": local.year, "m": local.month, "d": local.day}
    )
    if rated:
        _rating_qr(c, font, notice, margin, QR_BOTTOM)
    c.setFont(font, 9)
    c.setFillColorRGB(0.4, 0.4, 0.4)
    if notice.case_id:
        c.drawString(margin, 16 * mm, _("办件编号：%(n)s") % {"n": notice.case.tracking_number})  # type: ignore[union-attr]
        c.drawRightString(width - margin, 16 * mm, _("凭办件编号和查询码可在“办件查询”查看办理进度"))
    elif notice.enquiry_id:
        c.drawString(margin, 16 * mm, _("首问登记编号：%(n)s") % {"n": notice.enquiry.number})  # type: ignore[union-attr]
    c.showPage()
    c.save()
    return buf.getvalue()
