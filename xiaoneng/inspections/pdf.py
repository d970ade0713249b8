"""PDFs of the inspections app, set in the embedded CJK font of xiaoneng.core.pdf: the filing receipt
(涉企检查备案回执, with its number and a QR code of the public verification, INS-6), the first-violation
notice (首违告诫书/责令整改通知书, INS-8) and the penalty decision (行政处罚决定书, INS-10)."""

from __future__ import annotations

__all__ = ["filing_pdf", "notice_pdf", "penalty_pdf", "verify_url"]

import io
import re
from datetime import date
from urllib.parse import urlencode

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from reportlab.graphics import renderPDF
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas

from xiaoneng.core.pdf import pdf_font
from xiaoneng.inspections.models import FirstViolationNotice, InspectionFiling, PenaltyDecision

RED = (0.78, 0.08, 0.08)
QR_SIZE = 26 * mm
NO_LINE_START = set("，。、；：？！）》」』”’…—,.;:?!)")
_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9\-./:]*|.", re.DOTALL)


def _wrap(text: str, font: str, size: float, width: float) -> list[str]:
    """Break Chinese text at the width: between characters, not inside a run of Latin letters and
    digits (a number, a date), never before punctuation that may not begin a line."""
    lines: list[str] = []
    current = ""
    for token in _TOKEN.findall(text):
        if not current or token in NO_LINE_START or pdfmetrics.stringWidth(current + token, font, size) <= width:
            current += token
        else:
            lines.append(current)
            current = token
    if current:
        lines.append(current)
    return lines or [""]


def _day(d: date) -> str:
    return _("%(y)d年%(m)d月%(d)d日") % {"y": d.year, "m": d.month, "d": d.day}


def verify_url(filing: InspectionFiling) -> str:
    """INS-6: the public verification page with the number filled in (the enterprise adds its code)."""
    base = str(getattr(settings, "XIAONENG_PUBLIC_URL", "") or "").rstrip("/")
    return f"{base}{reverse('inspections:verify')}?{urlencode({'number': filing.number})}"


def _document(
    *, agency: str, title: str, number: str, addressee: str, paragraphs: list[str], day: date, qr: str = ""
) -> bytes:
    """An A4 document in the usual layout of an official one: the agency in red over a red rule, the
    title, the number, the addressee, the paragraphs, the agency and the date; optionally a QR code."""
    font = pdf_font()
    buf = io.BytesIO()
    width, height = A4
    c = Canvas(buf, pagesize=A4, pageCompression=1, initialFontName=font, initialFontSize=14)
    c.setTitle(f"{agency} {title} {number}")
    c.setAuthor(agency)
    c.setSubject(title)
    margin, body, leading = 26 * mm, 13, 7.6 * mm
    usable = width - 2 * margin
    y = height - 32 * mm
    c.setFillColorRGB(*RED)
    c.setStrokeColorRGB(*RED)
    c.setFont(font, 22)
    c.drawCentredString(width / 2, y, agency)
    y -= 7 * mm
    c.setLineWidth(1.6)
    c.line(margin, y, width - margin, y)
    c.setFillColorRGB(0, 0, 0)
    c.setStrokeColorRGB(0, 0, 0)
    y -= 14 * mm
    c.setFont(font, 20)
    c.drawCentredString(width / 2, y, title)
    y -= 9 * mm
    c.setFont(font, 12)
    c.drawCentredString(width / 2, y, number)
    y -= 14 * mm
    c.setFont(font, body)
    if addressee:
        c.drawString(margin, y, _("%(addressee)s：") % {"addressee": addressee})
        y -= leading
    for para in paragraphs:
        for line in _wrap(para, font, body, usable):
            if y < 50 * mm:
                c.showPage()
                c.setFont(font, body)
                y = height - 30 * mm
            c.drawString(margin, y, line)
            y -= leading
        y -= 1.5 * mm
    y = min(y - 12 * mm, 80 * mm)
    if y < 60 * mm:
        c.showPage()
        y = height - 40 * mm
    c.setFont(font, body)
    c.drawRightString(width - margin, y, agency)
    c.drawRightString(width - margin, y - leading, _day(day))
    if qr:
        widget = QrCodeWidget(qr, barLevel="M", barBorder=0)
        x0, y0, x1, y1 = widget.getBounds()
        drawing = Drawing(QR_SIZE, QR_SIZE, transform=[QR_SIZE / (x1 - x0), 0, 0, QR_SIZE / (y1 - y0), 0, 0])
        drawing.initialFontName = font  # else reportlab names Helvetica, a font not embedded
        drawing.add(widget)
        renderPDF.draw(drawing, c, margin, 20 * mm)
        c.setFont(font, 10)
        c.drawString(margin + QR_SIZE + 4 * mm, 20 * mm + QR_SIZE - 4 * mm, _("扫码或登录信息公示页面核验本备案"))
        c.setFont(font, 8)
        for i, line in enumerate(_wrap(qr, font, 8, usable - QR_SIZE - 4 * mm)[:3]):
            c.drawString(margin + QR_SIZE + 4 * mm, 20 * mm + QR_SIZE - 10 * mm - i * 3.4 * mm, line)
    c.showPage()
    c.save()
    return buf.getvalue()


def filing_pdf(filing: InspectionFiling) -> bytes:
    """INS-1/INS-6: the receipt of an approved filing — number, enterprise, item, date, officials with
    their certificates — and how to verify it (number and credit code; the QR code opens the page)."""
    officials = "；".join(
        f"{fo.official.display_name or fo.official.username}（{_('执法证号')} {fo.certificate.number}）"
        for fo in filing.officials.select_related("official", "certificate")
    )
    decided = timezone.localdate(filing.decided_at) if filing.decided_at else timezone.localdate()
    paragraphs = [
        _("你单位报送的涉企检查备案已经部门主管领导同意，予以备案。") if filing.decided_at else "",
        _("检查单位：%(v)s") % {"v": filing.department.name},
        _("被检查企业：%(name)s（统一社会信用代码 %(code)s）")
        % {"name": filing.enterprise_name, "code": filing.credit_code},
        _("检查事项：%(v)s") % {"v": filing.item_version.name},
        _("计划检查日期：%(v)s") % {"v": _day(filing.planned_date)},
        _("检查人员：%(v)s") % {"v": officials or "—"},
        _("状态：%(v)s") % {"v": filing.get_status_display()},
        _(
            "被检查企业可凭备案编号和统一社会信用代码在“信息公示—涉企检查备案核验”中核验本备案；检查人员应当出示执法证件。"
        ),
    ]
    return _document(
        agency=filing.department.name,
        title=_("涉企检查备案回执"),
        number=_("备案编号：%(n)s") % {"n": filing.number},
        addressee="",
        paragraphs=[p for p in paragraphs if p],
        day=decided,
        qr=verify_url(filing),
    )


def _official_names(users: object) -> str:
    return "、".join(u.display_name or u.username for u in users.all()) or "—"  # type: ignore[attr-defined]


def notice_pdf(notice: FirstViolationNotice) -> bytes:
    """INS-8: 首违告诫书 — the facts, the warning, the rectification deadline, no penalty."""
    due = notice.clock.due_at if notice.clock is not None else None
    paragraphs = [
        _("经查，你单位存在以下违法行为：%(facts)s") % {"facts": notice.facts},
        _(
            "该行为属于首违不罚事项“%(item)s”（%(c)s），系初次违法且危害后果轻微。依据《中华人民共和国行政处罚法》第三十三条，本机关决定对你单位不予行政处罚，予以告诫。"
        )
        % {"item": notice.entry.item_name, "c": notice.entry.circumstance},
        _("责令你单位在%(days)d个工作日内（%(due)s前）改正，逾期不改正的，依法予以处罚。")
        % {
            "days": notice.entry.rectify_days,
            "due": _day(timezone.localdate(due)) if due else "—",
        },
        _("执法人员：%(v)s") % {"v": _official_names(notice.officials)},
    ]
    return _document(
        agency=notice.department.name,
        title=_("首违不罚告诫书"),
        number=notice.number,
        addressee=notice.enterprise_name,
        paragraphs=paragraphs,
        day=notice.issued_on,
    )


def penalty_pdf(decision: PenaltyDecision) -> bytes:
    """INS-10: 行政处罚决定书 — facts, the baseline tier and its range, the fine, the remedies."""
    tier = decision.tier
    paragraphs = [
        _("当事人：%(name)s，统一社会信用代码 %(code)s。")
        % {"name": decision.enterprise_name, "code": decision.credit_code},
        _("经查明：%(facts)s") % {"facts": decision.facts},
        _("依据“%(item)s”的行政处罚自由裁量基准，本案适用“%(tier)s”阶次（%(c)s，罚款%(min)s元至%(max)s元）。")
        % {
            "item": tier.baseline.item_name,
            "tier": tier.get_tier_display(),
            "c": tier.circumstance,
            "min": tier.fine_min,
            "max": tier.fine_max,
        },
        _("本机关决定：处以罚款%(amount)s元。") % {"amount": decision.amount},
        _("如不服本决定，可以在收到本决定书之日起六十日内依法申请行政复议，或者在六个月内依法向人民法院提起行政诉讼。"),
        _("执法人员：%(v)s") % {"v": _official_names(decision.officials)},
    ]
    return _document(
        agency=decision.department.name,
        title=_("行政处罚决定书"),
        number=decision.number,
        addressee=decision.enterprise_name,
        paragraphs=paragraphs,
        day=decision.decided_on,
    )
