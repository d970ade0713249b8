"""The written notices of a disclosure request (DIS-1, DIS-2) as A4 PDFs set in the embedded CJK font
of xiaoneng.core.pdf: the answer notice (政府信息公开申请答复告知书, one text per answer type), the
correction notice (补正告知书) and the extension notice (延期答复告知书). Built from the request's
record on demand, so the notice always says what the record says."""

from __future__ import annotations

__all__ = ["NOTICE_KINDS", "notice_available", "notice_lines", "notice_pdf"]

import io
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas

from xiaoneng.core.pdf import pdf_font
from xiaoneng.disclosure.choices import ANSWER_BASIS, AnswerType, Ground
from xiaoneng.disclosure.models import DisclosureRequest
from xiaoneng.workdays.due import clock_due_date

NOTICE_KINDS = ("answer", "correction", "extension")
RED = (0.78, 0.08, 0.08)
NO_LINE_START = set("，。、；：？！）》」』”’…—,.;:?!)")


def notice_available(req: DisclosureRequest, kind: str) -> bool:
    if kind == "answer":
        return bool(req.answered_at and req.answer_type and req.status == "answered")
    if kind == "correction":
        return req.correction_asked_at is not None
    if kind == "extension":
        return req.extended_at is not None
    return False


def _remedy() -> str:
    return _(
        "申请人对本答复不服的，可以自收到本告知书之日起60日内依法申请行政复议，"
        "或者自收到本告知书之日起6个月内依法提起行政诉讼。"
    )


def _answer_lines(req: DisclosureRequest) -> list[str]:
    received = timezone.localtime(req.received_at)
    lines = [
        _(
            "本机关于%(y)d年%(m)d月%(d)d日收到您（单位）提出的政府信息公开申请（申请编号：%(number)s），申请获取：%(desc)s。"
        )
        % {
            "y": received.year,
            "m": received.month,
            "d": received.day,
            "number": req.number,
            "desc": req.description[:300],
        }
    ]
    basis = str(ANSWER_BASIS.get(req.answer_type, ""))
    ground = str(Ground(req.ground).label) if req.ground else ""
    t = req.answer_type
    if t == AnswerType.ALREADY_PUBLIC:
        lines.append(
            _("经审查，您申请的信息已经主动公开，根据%(basis)s的规定，现告知获取该信息的方式和途径如下。")
            % {"basis": basis}
        )
    elif t == AnswerType.DISCLOSED:
        lines.append(
            _("经审查，您申请的信息属于公开范围，根据%(basis)s的规定，现予以公开，具体如下。") % {"basis": basis}
        )
    elif t == AnswerType.PARTIAL:
        lines.append(
            _(
                "经审查，您申请的信息中含有不应当公开的内容，理由：%(ground)s。根据%(basis)s的规定，本机关对可以公开的部分予以公开，不应当公开的内容不予公开。"
            )
            % {"ground": ground, "basis": basis}
        )
    elif t == AnswerType.WITHHELD:
        lines.append(
            _("经审查，您申请的信息不予公开，理由：%(ground)s。依据%(basis)s的规定，告知如下。")
            % {"ground": ground, "basis": basis}
        )
    elif t == AnswerType.NOT_EXIST:
        lines.append(
            _("经检索，本机关没有您所申请公开的信息，根据%(basis)s的规定，告知您该政府信息不存在。") % {"basis": basis}
        )
    elif t == AnswerType.NOT_OURS:
        lines.append(
            _("您申请的信息不属于本机关负责公开，根据%(basis)s的规定，请向%(agency)s申请。")
            % {"basis": basis, "agency": req.right_agency}
        )
    elif t == AnswerType.NOT_PROCESSED:
        lines.append(
            _("经审查，您的申请不予处理，理由：%(ground)s。依据%(basis)s。") % {"ground": ground, "basis": basis}
        )
    else:
        lines.append(
            _("根据%(basis)s的规定，答复如下：%(type)s。") % {"basis": basis, "type": req.get_answer_type_display()}
        )
    lines.append(req.answer_text)
    if req.fee_amount:
        lines.append(_("本申请已按规定收取信息处理费%(amount)s元。") % {"amount": req.fee_amount})
    lines.append(_remedy())
    return lines


def notice_lines(req: DisclosureRequest, kind: str) -> tuple[str, list[str]]:
    """(title, paragraphs) of one notice of the request."""
    if kind == "correction":
        asked = timezone.localtime(req.correction_asked_at) if req.correction_asked_at else timezone.localtime()
        return _("政府信息公开申请补正告知书"), [
            _(
                "您（单位）提出的政府信息公开申请（申请编号：%(number)s）内容不明确。根据《中华人民共和国政府信息公开条例》第三十条的规定，请对以下事项一次性作出补正："
            )
            % {"number": req.number},
            req.correction_items,
            _(
                "请于%(date)s前提交补正；答复期限自本机关收到补正的申请之日起计算。无正当理由逾期不补正的，视为放弃申请。"
            )
            % {"date": req.correction_deadline},
            _("告知日期：%(y)d年%(m)d月%(d)d日") % {"y": asked.year, "m": asked.month, "d": asked.day},
        ]
    if kind == "extension":
        return _("政府信息公开申请延期答复告知书"), [
            _(
                "您（单位）提出的政府信息公开申请（申请编号：%(number)s），因%(reason)s，不能在规定期限内答复。根据《中华人民共和国政府信息公开条例》第三十三条的规定，经本机关政府信息公开工作机构负责人同意，答复期限延长20个工作日，至%(due)s。"
            )
            % {"number": req.number, "reason": req.extension_reason, "due": clock_due_date(req.clock) or ""},
        ]
    return _("政府信息公开申请答复告知书"), _answer_lines(req)


def _wrap(text: str, font: str, size: float, width: float) -> list[str]:
    lines: list[str] = []
    current = ""
    for ch in text:
        if ch == "\n":
            lines.append(current)
            current = ""
            continue
        if current and ch not in NO_LINE_START and pdfmetrics.stringWidth(current + ch, font, size) > width:
            lines.append(current)
            current = ""
        current += ch
    if current:
        lines.append(current)
    return lines or [""]


def notice_pdf(req: DisclosureRequest, kind: str) -> bytes:
    """The notice as an A4 PDF: agency name in red over a red rule, title, number, addressee, body,
    agency and date."""
    title, paragraphs = notice_lines(req, kind)
    font = pdf_font()
    buf = io.BytesIO()
    width, height = A4
    c: Any = Canvas(buf, pagesize=A4, pageCompression=1, initialFontName=font, initialFontSize=14)
    agency = req.department.name
    c.setTitle(f"{agency} {title} {req.number}")
    c.setAuthor(agency)
    margin, size, leading = 26 * mm, 13, 7.6 * mm
    y = height - 32 * mm
    c.setFillColorRGB(*RED)
    c.setStrokeColorRGB(*RED)
    c.setFont(font, 22)
    c.drawCentredString(width / 2, y, agency)
    y -= 7 * mm
    c.setLineWidth(1.6)
    c.line(margin, y, width - margin, y)
    c.setFillColorRGB(0, 0, 0)
    y -= 14 * mm
    c.setFont(font, 19)
    c.drawCentredString(width / 2, y, title)
    y -= 9 * mm
    c.setFont(font, 11)
    c.drawCentredString(width / 2, y, req.number)
    y -= 13 * mm
    c.setFont(font, size)
    c.drawString(margin, y, _("%(name)s：") % {"name": req.applicant_name})
    y -= leading
    indent = "\u3000\u3000"
    for para in paragraphs:
        for line in _wrap(indent + para, font, size, width - 2 * margin):
            if y < 36 * mm:
                c.showPage()
                c.setFont(font, size)
                y = height - 30 * mm
            c.drawString(margin, y, line)
            y -= leading
    y = min(y - 12 * mm, 60 * mm)
    when = timezone.localtime(req.answered_at if kind == "answer" and req.answered_at else None)
    c.drawRightString(width - margin, y, agency)
    c.drawRightString(
        width - margin, y - leading, _("%(y)d年%(m)d月%(d)d日") % {"y": when.year, "m": when.month, "d": when.day}
    )
    c.showPage()
    c.save()
    return buf.getvalue()
