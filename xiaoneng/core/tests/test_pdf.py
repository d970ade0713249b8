"""Every PDF the platform makes carries its fonts (issue 9): set in the one embeddable CJK font of
xiaoneng.core.pdf, and naming no font it does not embed (reportlab's defaults name Helvetica)."""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

import pytest
from reportlab.pdfgen.canvas import Canvas

from xiaoneng.core.pdf import pdf_font
from xiaoneng.supervision.bulletins.documents import bulletin_pdf
from xiaoneng.supervision.bulletins.services import bulletin_create, bulletin_issue
from xiaoneng.supervision.choices import BulletinKind
from xiaoneng.supervision.tests.test_bulletins import october  # noqa: F401 -- the fixture
from xiaoneng.supervision.tests.test_efficiency import OCT


def _fonts(data: bytes, tmp_path: Path) -> list[str]:
    path = tmp_path / "f.pdf"
    path.write_bytes(data)
    out = subprocess.run(["pdffonts", str(path)], capture_output=True, check=True).stdout.decode()
    return out.splitlines()[2:]


def _all_embedded(rows: list[str]) -> bool:
    return bool(rows) and all(row.split()[-5] == "yes" for row in rows)  # the "emb" column


def test_the_pdf_font_is_embedded_with_the_chinese_text(tmp_path: Path) -> None:

    buf = io.BytesIO()
    c = Canvas(buf, initialFontName=pdf_font())
    c.drawString(72, 720, "准予行政许可决定书")
    c.save()
    rows = _fonts(buf.getvalue(), tmp_path)
    assert _all_embedded(rows), rows
    assert "UMing" in rows[0], rows
    (tmp_path / "t.pdf").write_bytes(buf.getvalue())
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(tmp_path / "t.pdf"), "-"], capture_output=True).stdout
    assert "准予行政许可决定书" in text.decode()


@pytest.mark.django_db
def test_the_bulletin_pdf_embeds_every_font_it_names(october, tmp_path: Path) -> None:  # noqa: F811

    office = october.user("supervisor")
    bulletin = bulletin_issue(
        bulletin=bulletin_create(actor=office, region=october.city, kind=BulletinKind.MONTHLY, period=OCT),
        actor=office,
    )
    rows = _fonts(bulletin_pdf(bulletin), tmp_path)
    assert _all_embedded(rows), rows  # the page and the chart once named a non-embedded Helvetica
