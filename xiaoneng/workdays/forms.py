"""The administrator's form for entering a year's schedule from the State Council notice (CLK-4)."""

from __future__ import annotations

__all__ = ["NOTICE_EXAMPLE_2027", "CalendarNoticeForm", "notice_text_from_upload"]

import csv
import io
from datetime import date
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xiaoneng.workdays.services import NoticeParseError, calendar_parse_notice

# Shown on the page as the format to follow; a test parses it, so it stays valid.
NOTICE_EXAMPLE_2027 = """\
# 2027年放假安排（格式示例，日期请以国务院办公厅正式通知为准）
元旦：2027-01-01 至 2027-01-03
春节：2027-02-05 至 2027-02-13
清明节：2027-04-03 至 2027-04-05
劳动节：2027-05-01 至 2027-05-05
端午节：2027-06-09
中秋节：2027-09-15
国庆节：2027-10-01 至 2027-10-07
调休上班：2027-01-31、2027-02-20、2027-04-25、2027-05-08、2027-09-26、2027-10-09
"""

MAX_UPLOAD_BYTES = 64 * 1024
_HEADER_NAMES = {"名称", "节日", "节假日", "name"}


def _csv_to_lines(text: str) -> str:
    """A spreadsheet saved as CSV: one row per line, the name in the first cell and dates (or ranges)
    in the next cells. Each row becomes one `名称：日期、日期` line, so line numbers still match rows."""
    out: list[str] = []
    for i, row in enumerate(csv.reader(io.StringIO(text))):
        cells = [c.strip() for c in row]
        while cells and not cells[-1]:
            cells.pop()
        if not cells:
            out.append("")
        elif i == 0 and cells[0].lower() in _HEADER_NAMES:
            out.append("# " + "，".join(cells))  # a header row: kept as a comment
        elif len(cells) == 1 or any(sep in cells[0] for sep in ":："):
            out.append("，".join(cells))
        else:
            out.append(cells[0] + "：" + "、".join(c for c in cells[1:] if c))
    return "\n".join(out)


def notice_text_from_upload(upload: UploadedFile[bytes]) -> str:
    """The text of an uploaded .txt or .csv file (UTF-8, or GB18030 as Excel saves it in China)."""
    name = (upload.name or "").lower()
    if not name.endswith((".txt", ".csv")):
        raise ValidationError(_("只能上传 .txt 或 .csv 文件。"), code="file_type")
    if upload.size is not None and upload.size > MAX_UPLOAD_BYTES:
        raise ValidationError(_("文件不能超过64KB。"), code="file_size")
    raw = upload.read(MAX_UPLOAD_BYTES + 1)
    if len(raw) > MAX_UPLOAD_BYTES:
        raise ValidationError(_("文件不能超过64KB。"), code="file_size")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ValidationError(_("无法识别文件编码，请保存为 UTF-8 编码的文本文件。"), code="file_encoding")
    return _csv_to_lines(text) if name.endswith(".csv") else text


class CalendarNoticeForm(forms.Form):
    """Year, notice reference (文号) and the schedule, pasted or uploaded. Valid means it parses: the
    parsed holidays and make-up days are in cleaned_data for the preview."""

    year = forms.IntegerField(label=gettext_lazy("年份"))
    notice_ref = forms.CharField(
        label=gettext_lazy("通知文号"),
        max_length=100,
        help_text=gettext_lazy("国务院办公厅通知的文号，例如：国办发明电〔2026〕7号"),
    )
    text = forms.CharField(
        label=gettext_lazy("放假安排"),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 12, "spellcheck": "false"}),
        help_text=gettext_lazy("每行一项：名称：日期、日期或“起 至 止”；调休上班日写在“调休上班：”一行。"),
    )
    file = forms.FileField(
        label=gettext_lazy("或上传文件（.txt / .csv）"),
        required=False,
        help_text=gettext_lazy("内容格式与上面相同；上传文件时以文件内容为准。"),
    )

    def clean_file(self) -> UploadedFile[bytes] | None:
        upload = self.cleaned_data.get("file")
        if upload:
            self.cleaned_data["file_text"] = notice_text_from_upload(upload)
        return upload

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        text = data.get("file_text") or data.get("text") or ""
        if self.errors:
            return data
        if not text.strip():
            self.add_error("text", _("请粘贴放假安排，或上传 .txt / .csv 文件。"))
            return data
        data["text"] = text
        try:
            holidays, makeup = calendar_parse_notice(year=data["year"], text=text)
        except NoticeParseError as e:
            # every bad line, each with its line number (CLK-4: nothing is written)
            self.add_error("text", e.messages)
            return data
        except ValidationError as e:
            self.add_error("year", e.messages)
            return data
        data["holidays"] = holidays
        data["makeup"] = makeup
        return data

    @property
    def parsed(self) -> tuple[dict[date, str], dict[date, str]]:
        return self.cleaned_data["holidays"], self.cleaned_data["makeup"]
