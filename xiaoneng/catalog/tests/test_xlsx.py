"""The catalog import's .xlsx reader gives exactly the values openpyxl gives (read-only, data only),
on workbooks written by openpyxl and on hand-made ones in the shapes Excel, WPS and LibreOffice
write: shared strings with rich runs, date styles, formulas with cached values, comments, prefixes."""

from __future__ import annotations

import datetime
import io
import zipfile
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.cell.rich_text import CellRichText, TextBlock
from openpyxl.cell.text import InlineFont

from xiaoneng.catalog import xlsx
from xiaoneng.catalog.xlsx import XlsxError, xlsx_sheets

# hand-made workbooks carry no default cell style; openpyxl says so when it reads them
pytestmark = pytest.mark.filterwarnings("ignore:Workbook contains no default style")


def _dense(rows: list[tuple[int, list[Any]]]) -> list[list[Any]]:
    """Rows by number from 1, missing ones empty, trailing blanks dropped: openpyxl's shape."""
    out: list[list[Any]] = []
    for n, values in rows:
        while len(out) < n - 1:
            out.append([])
        out.append(list(values))
    return _trimmed(out)


def _trimmed(rows: list[Any]) -> list[list[Any]]:
    out = []
    for row in rows:
        row = list(row)
        while row and row[-1] is None:
            row.pop()
        out.append(row)
    while out and not out[-1]:
        out.pop()
    return out


def _openpyxl(data: bytes, sheet: str) -> list[list[Any]]:
    wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    rows = _trimmed(list(wb[sheet].iter_rows(values_only=True)))
    wb.close()
    return rows


def _ours(data: bytes, sheet: str) -> list[list[Any]]:
    return _dense(list(xlsx_sheets(io.BytesIO(data), [sheet])[sheet]))


def _openpyxl_workbook() -> bytes:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "items"
    ws.append(["实施编码", "名称", "数", "是否", "日期"])
    ws.append(["  前后有空格  ", "a & b < c > d \"e\" 'f'", 20, True, datetime.datetime(2026, 3, 1, 8, 30)])
    ws.append(["换行\n第二行", "回车\r\n换行", 3.25, False, datetime.date(2026, 1, 2)])
    ws.append([None, "稀疏", None, None, None, None, "第七列"])
    ws.append([])
    ws.append(["空行之后", -7, 1e-7, 12345678901234, datetime.time(9, 15)])
    ws.append(["=1+1", "公式（没有缓存值）"])
    ws.cell(8, 1).value = CellRichText(["普通", TextBlock(InlineFont(b=True), "加粗")])
    ws.cell(9, 3).value = "😀 emoji 与 \u3000全角空格"
    other = wb.create_sheet("steps")
    for i in range(300):
        other.append([f"code{i:04d}", i, f"第{i}步", i / 4, i % 2 == 0])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def test_values_match_openpyxl_on_a_workbook_openpyxl_wrote():
    data = _openpyxl_workbook()
    for sheet in ("items", "steps"):
        assert _ours(data, sheet) == _openpyxl(data, sheet)


def test_values_match_openpyxl_when_the_sheet_is_cut_into_many_slices(monkeypatch):
    # given slices of 512 bytes, so that rows are cut at every block boundary
    monkeypatch.setattr(xlsx, "_BLOCK", 512)
    data = _openpyxl_workbook()
    # then the rows are the same as openpyxl's
    for sheet in ("items", "steps"):
        assert _ours(data, sheet) == _openpyxl(data, sheet)


CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/xl/workbook.xml"
 ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>
<Override PartName="/xl/worksheets/sheet1.xml"
 ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>
<Override PartName="/xl/worksheets/sheet2.xml"
 ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>
<Override PartName="/xl/sharedStrings.xml"
 ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>
<Override PartName="/xl/styles.xml"
 ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>
</Types>"""
ROOT_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"
 Target="xl/workbook.xml"/></Relationships>"""
WORKBOOK = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"
 xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">
<workbookPr date1904="{date1904}"/>
<sheets><sheet name="items" sheetId="1" r:id="rId1"/><sheet name="steps" sheetId="2" r:id="rId2"/></sheets>
</workbook>"""
WORKBOOK_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"
 Target="worksheets/sheet1.xml"/>
<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"
 Target="/xl/worksheets/sheet2.xml"/>
<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"
 Target="sharedStrings.xml"/>
<Relationship Id="rId4" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles"
 Target="styles.xml"/>
</Relationships>"""
SHARED = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="5" uniqueCount="5">
<si><t>实施编码</t></si>
<si><r><rPr><b/></rPr><t>富</t></r><r><t xml:space="preserve">文本 </t></r></si>
<si><t>带注音</t><rPh sb="0" eb="1"><t>ダイ</t></rPh></si>
<si><t>转义 &amp; x005F_x000D_</t></si>
<si><t/></si>
</sst>"""
STYLES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">
<numFmts count="2"><numFmt numFmtId="164" formatCode="yyyy&quot;年&quot;m&quot;月&quot;d&quot;日&quot;"/>
<numFmt numFmtId="165" formatCode="[h]:mm:ss"/></numFmts>
<cellXfs count="5"><xf numFmtId="0"/><xf numFmtId="14"/><xf numFmtId="164"/><xf numFmtId="165"/>
<xf numFmtId="2"/></cellXfs>
</styleSheet>"""
SHEET = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<{p}worksheet xmlns{colon}{pname}="http://schemas.openxmlformats.org/spreadsheetml/2006/main"
 xmlns:x14ac="http://schemas.microsoft.com/office/spreadsheetml/2009/9/ac">
<{p}sheetViews><{p}sheetView workbookViewId="0"/></{p}sheetViews>
<{p}sheetData>
<{p}row r="1" spans="1:6" x14ac:dyDescent="0.25">
  <{p}c r="A1" t="s"><{p}v>0</{p}v></{p}c><{p}c r="B1" s="0" t="s"><{p}v>1</{p}v></{p}c>
  <{p}c r="C1" t="s"><{p}v>2</{p}v></{p}c><{p}c r="D1" t="s"><{p}v>3</{p}v></{p}c>
  <{p}c r="E1" t="s"><{p}v>4</{p}v></{p}c>
</{p}row>
<{p}row r="2"><{p}c r="A2" s="1"><{p}v>46000</{p}v></{p}c><{p}c r="B2" s="2"><{p}v>46000.5</{p}v></{p}c>
<{p}c r="C2" s="3"><{p}v>1.25</{p}v></{p}c><{p}c r="D2" s="4"><{p}v>3.14159</{p}v></{p}c>
<{p}c r="E2" t="b"><{p}v>1</{p}v></{p}c><{p}c r="F2" t="e"><{p}v>#N/A</{p}v></{p}c></{p}row>
<{p}row r="4"><{p}c r="B4"><{p}f>A2+1</{p}f><{p}v>46001</{p}v></{p}c>
<{p}c r="C4" t="str"><{p}f>"a"&amp;"b"</{p}f><{p}v>ab</{p}v></{p}c>
<{p}c r="D4" t="d"><{p}v>2026-05-06T07:08:09</{p}v></{p}c>
<{p}c t="inlineStr" r="E4"><{p}is><{p}t>属性顺序不同</{p}t></{p}is></{p}c></{p}row>
<!-- a comment between rows -->
<{p}row><{p}c><{p}v>7</{p}v></{p}c><{p}c><{p}v>8</{p}v></{p}c></{p}row>
<{p}row r="6">
<{p}c r="A6" t="inlineStr"><{p}is><{p}t>&#x4E2D;&#25991; &lt;tag&gt; &quot;q&quot; &apos;a&apos;</{p}t></{p}is></{p}c>
<{p}c r="C6" t="inlineStr"><{p}v>inline without is</{p}v></{p}c><{p}c r="D6" t="s"/><{p}c r="E6"></{p}c>
<{p}c r="F6" t="inlineStr"><{p}is><{p}t xml:space="preserve">  留空格  </{p}t></{p}is></{p}c></{p}row>
<{p}row r="7" customHeight="1" ht="30"/>
<{p}row r="8">
<{p}c r="A8" t="inlineStr"><{p}is><{p}r><{p}t>内联</{p}t></{p}r><{p}r><{p}t>富文本</{p}t></{p}r></{p}is></{p}c>
<{p}c r="B8"><{p}v>-1.5E+3</{p}v></{p}c><{p}c r="C8" t="n"><{p}v></{p}v></{p}c></{p}row>
</{p}sheetData></{p}worksheet>"""
STEPS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>
<row r="1"><c r="A1" t="inlineStr"><is><t>行 1</t></is></c></row>
<row r="2"><c r="A2" t="inlineStr"><is><t>&lt;!-- not a comment --&gt;</t></is></c></row>
<!-- </row><row r="99"> inside a comment -->
<row r="3"><c r="A3"><v>3</v></c></row>
</sheetData></worksheet>"""


def _handmade(*, prefix: str = "", date1904: str = "0") -> bytes:
    buffer = io.BytesIO()
    sheet = SHEET.format(p=f"{prefix}:" if prefix else "", colon=":" if prefix else "", pname=prefix)
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("[Content_Types].xml", CONTENT_TYPES)
        z.writestr("_rels/.rels", ROOT_RELS)
        z.writestr("xl/workbook.xml", WORKBOOK.format(date1904=date1904))
        z.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        z.writestr("xl/sharedStrings.xml", SHARED)
        z.writestr("xl/styles.xml", STYLES)
        z.writestr("xl/worksheets/sheet1.xml", sheet)
        z.writestr("xl/worksheets/sheet2.xml", STEPS)
    return buffer.getvalue()


def _count_fast_slices(monkeypatch) -> list[int]:
    fast = xlsx._Book._fast
    counted = []

    def counting(self, chunk, number):
        result = fast(self, chunk, number)
        counted.append(len(result[0]))
        return result

    monkeypatch.setattr(xlsx._Book, "_fast", counting)
    return counted


@pytest.mark.parametrize("prefix", ["", "x"])
@pytest.mark.parametrize("date1904", ["0", "1"])
@pytest.mark.parametrize("block", [64, 1 << 20])
def test_values_match_openpyxl_on_a_handmade_workbook_in_excels_shapes(monkeypatch, prefix, date1904, block):
    # given a workbook in Excel's shapes, read in one slice (the XML parser's route, because of the
    # formula and the comment) or row by row (the plain rows then take the regular-expression route)
    monkeypatch.setattr(xlsx, "_BLOCK", block)
    fast_rows = _count_fast_slices(monkeypatch)
    data = _handmade(prefix=prefix, date1904=date1904)
    # when it is read, then the values are openpyxl's
    ours = _ours(data, "items")
    assert ours == _openpyxl(data, "items")
    assert (sum(fast_rows) >= 3) == (block == 64 and not prefix)
    # and the values are what a reader expects (not only what openpyxl happens to give)
    assert ours[0] == ["实施编码", "富文本 ", "带注音", "转义 & x000D_", ""]
    assert ours[1][4:] == [True, "#N/A"]
    assert isinstance(ours[1][0], datetime.datetime)
    assert ours[3][1:4] == [46001, "ab", datetime.datetime(2026, 5, 6, 7, 8, 9)]
    assert ours[4] == [7, 8]
    assert ours[5][0] == "中文 <tag> \"q\" 'a'"
    assert ours[5][5] == "  留空格  "
    assert ours[7][:2] == ["内联富文本", -1500.0]


@pytest.mark.parametrize("block", [64, 1 << 20])
def test_a_comment_holding_markup_falls_back_to_the_xml_parser_without_losing_or_repeating_rows(monkeypatch, block):
    monkeypatch.setattr(xlsx, "_BLOCK", block)
    data = _handmade()
    assert _ours(data, "steps") == _openpyxl(data, "steps") == [["行 1"], ["<!-- not a comment -->"], [3]]


def test_a_file_that_is_not_a_workbook_raises_xlsx_error():
    with pytest.raises(XlsxError):
        xlsx_sheets(io.BytesIO(b"not a zip file"), ["items"])
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("xl/workbook.xml", "<workbook")
    with pytest.raises(XlsxError):
        xlsx_sheets(io.BytesIO(buffer.getvalue()), ["items"])
