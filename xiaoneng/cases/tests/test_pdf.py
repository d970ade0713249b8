# mypy: disable-error-code="union-attr,operator"
# (tests read clocks that the services always set; the Optional is a model-level fact only)
"""CAS-2/CAS-4/CAS-5: every written notice renders as a PDF with correct Chinese text, numbered and
dated in the agency's name — checked as an image (pdftoppm) and as text (pdftotext)."""

from __future__ import annotations

import shutil
import shutil as sh
import subprocess
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone
from PIL import Image
from reportlab.graphics.barcode.qr import QrCodeWidget

from xiaoneng.cases.choices import NoticeKind, Status
from xiaoneng.cases.models import Case, Notice
from xiaoneng.cases.pdf import QR_BOTTOM, QR_SIZE, notice_pdf
from xiaoneng.catalog.tests.factories import make_item, publish
from xiaoneng.core.pdf import DEFAULT_FONT_PATH, pdf_font
from xiaoneng.ratings.models import Rating

pytestmark = pytest.mark.django_db

MARKS = {
    NoticeKind.ACCEPTANCE: "受字",
    NoticeKind.REFUSAL_TO_ACCEPT: "不受字",
    NoticeKind.SUPPLEMENT: "补字",
    NoticeKind.SPECIAL_PROCEDURE: "特字",
    NoticeKind.EXTENSION: "延字",
    NoticeKind.APPROVAL: "准字",
    NoticeKind.REFUSAL: "不准字",
}
TITLES = {
    NoticeKind.ACCEPTANCE: "受理通知书",
    NoticeKind.REFUSAL_TO_ACCEPT: "不予受理通知书",
    NoticeKind.SUPPLEMENT: "补正材料一次性告知书",
    NoticeKind.SPECIAL_PROCEDURE: "特别程序告知书",
    NoticeKind.EXTENSION: "延长审查期限告知书",
    NoticeKind.APPROVAL: "准予行政许可决定书",
    NoticeKind.REFUSAL: "不予行政许可决定书",
}


@pytest.mark.parametrize("kind", list(TITLES))
def test_notice_pdf_renders_chinese_title_number_agency_and_date(world, kind, tmp_path: Path):
    if not (shutil.which("pdftoppm") and shutil.which("pdftotext")):
        pytest.fail("poppler-utils (pdftoppm, pdftotext) is required")
    # given a numbered notice of the department
    notice = Notice.objects.create(
        tenant=world.city,
        department=world.dept,
        kind=kind,
        year=2026,
        seq=17,
        addressee="张丽",
        lines=[
            "你（单位）于2026年3月2日提出的食品经营许可申请，经审查，本机关决定予以受理。",
            "如不服本决定，可以申请行政复议。",
        ],
        issued_at=timezone.now(),
    )
    # when rendered
    data = notice_pdf(notice)
    pdf = tmp_path / "n.pdf"
    pdf.write_bytes(data)
    # then the text holds the agency, the Chinese title and the number
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, check=True
    ).stdout.decode()
    compact = "".join(text.split())
    assert TITLES[kind] in compact
    assert world.dept.name in compact
    assert f"{MARKS[kind]}〔2026〕第17号" in compact
    local = timezone.localtime(notice.issued_at)
    assert f"{local.year}年{local.month}月{local.day}日" in compact
    # and the page image is not blank
    subprocess.run(["pdftoppm", "-png", "-r", "40", "-singlefile", str(pdf), str(tmp_path / "page")], check=True)

    img = Image.open(tmp_path / "page.png").convert("L")
    dark = sum(img.histogram()[:128])
    assert dark > 500, "the rendered page is blank"


def _fonts(pdf: Path) -> str:
    return subprocess.run(["pdffonts", str(pdf)], capture_output=True, check=True).stdout.decode()


def _notice(world, **kw) -> Notice:
    data = {
        "tenant": world.city,
        "department": world.dept,
        "kind": NoticeKind.ACCEPTANCE,
        "year": 2026,
        "seq": 3,
        "addressee": "张丽",
        "lines": ["准予行政许可。"],
        "issued_at": timezone.now(),
    }
    return Notice.objects.create(**{**data, **kw})


def test_notice_pdf_embeds_a_truetype_cjk_font(world, tmp_path: Path):

    if not Path(DEFAULT_FONT_PATH).is_file():
        pytest.fail("an embeddable CJK font is required: apt-get install fonts-arphic-uming (see docs/dependencies.md)")
    # given a notice with text that must wrap, and punctuation at the wrapping point
    notice = _notice(
        world,
        lines=[
            "你（单位）提出的申请，" * 8,
            "申请的食品生产许可（办件编号：BJ-339100-20261118-00001），因需要进行检测。" * 2,
        ],
    )
    pdf = tmp_path / "n.pdf"
    pdf.write_bytes(notice_pdf(notice))
    # then every font of the document travels with it (a subset of UMing), none is only named
    fonts = _fonts(pdf)
    rows = fonts.splitlines()[2:]
    assert rows, fonts
    assert all("UMing" in line for line in rows), fonts
    assert all(line.split()[-5] == "yes" for line in rows), fonts  # the "emb" column
    assert "STSong" not in fonts, fonts
    # and no line of the body begins with a comma (Chinese line-breaking rules)
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, check=True).stdout
    assert not [line for line in text.decode().splitlines() if line.startswith(("，", "）", "。"))]
    # and a tracking number is never cut in two
    assert text.decode().count("BJ-339100-20261118-00001") == 2


@pytest.fixture
def fresh_font():

    pdf_font.cache_clear()
    yield
    pdf_font.cache_clear()


def test_a_missing_pdf_font_is_a_clear_error_not_a_non_embedded_fallback(world, settings, fresh_font):

    # given a machine where the configured font is missing
    settings.XIAONENG_PDF_FONT = "/nonexistent/font.ttc"
    notice = _notice(world, kind=NoticeKind.APPROVAL)
    # then no notice is produced with a font it does not carry: the error says what to install
    with pytest.raises(ImproperlyConfigured, match="fonts-arphic-uming"):
        notice_pdf(notice)


def test_an_opentype_cff_font_is_refused_with_the_reason(world, settings, fresh_font):

    noto = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
    if not noto.is_file():
        pytest.skip("fonts-noto-cjk is not installed")
    # given the Noto CJK collection (OpenType/CFF outlines) configured as the PDF font
    settings.XIAONENG_PDF_FONT = str(noto)
    # then it is refused at once, naming why and what to use instead
    with pytest.raises(ImproperlyConfigured, match="TrueType"):
        notice_pdf(_notice(world))


def test_the_font_path_setting_overrides_the_default(world, settings, tmp_path: Path, fresh_font):

    # given a copy of the TrueType collection somewhere else, face 1 (AR PL UMing HK)
    copy = tmp_path / "my-font.ttc"
    sh.copyfile(DEFAULT_FONT_PATH, copy)
    settings.XIAONENG_PDF_FONT = str(copy)
    settings.XIAONENG_PDF_FONT_INDEX = 1
    pdf = tmp_path / "n.pdf"
    pdf.write_bytes(notice_pdf(_notice(world)))
    # then the notice is set in that face, embedded
    fonts = _fonts(pdf)
    assert "UMingHK" in fonts, fonts
    assert fonts.splitlines()[2].split()[-5] == "yes", fonts


def _decided_case(world):

    item = publish(
        make_item(world.dept, world.user("dept_head")), declarer=world.user("dept_head"), legal=world.user("legal")
    )
    assert item.published is not None
    return Case.objects.create(
        tenant=world.dept.tenant,
        tracking_number="XK-339100-20260101-00991",
        verification_hash="x" * 64,
        applicant=world.user("applicant"),
        applicant_name="赵先生",
        item=item,
        version=item.published,
        department=world.dept,
        channel="online",
        case_kind="committed",
        status=Status.DELIVERED,
        received_at=timezone.now(),
        delivered_at=timezone.now(),
    )


def test_decision_notice_prints_the_rating_qr_code_rat1(world, client, tmp_path: Path, settings):
    """RAT-1: a rating "from … a QR code on the decision notice": the decision notice carries a QR code
    whose modules encode the case's rating address, and that address opens the rating page."""

    settings.XIAONENG_PUBLIC_URL = "https://zwfw.example.gov.cn"
    # given a decision notice of a delivered case, and an acceptance notice of the same case
    case = _decided_case(world)
    decision, acceptance = (
        Notice.objects.create(
            tenant=world.city,
            department=world.dept,
            case=case,
            kind=kind,
            year=2026,
            seq=5,
            addressee="赵先生",
            lines=["经审查，本机关决定准予行政许可。"],
            issued_at=timezone.now(),
        )
        for kind in (NoticeKind.APPROVAL, NoticeKind.ACCEPTANCE)
    )
    # when both are rendered
    texts = {}
    for name, notice in (("decision", decision), ("acceptance", acceptance)):
        (tmp_path / f"{name}.pdf").write_bytes(notice_pdf(notice))
        # -raw: the text in drawing order; pdftotext's layout analysis may take the wrapped address lines
        # for columns and reorder them, which made the compared address (and so its QR) differ now and then
        out = subprocess.run(
            ["pdftotext", "-raw", "-enc", "UTF-8", str(tmp_path / f"{name}.pdf"), "-"], capture_output=True
        )
        texts[name] = "".join(out.stdout.decode().split())
    # then every font of the decision notice is embedded, the QR code's drawing included
    fonts = _fonts(tmp_path / "decision.pdf")
    assert all(line.split()[-5] == "yes" for line in fonts.splitlines()[2:]), fonts
    # and the decision notice says how to rate and prints the address; the acceptance notice does not
    assert "扫码评价本次服务" in texts["decision"]
    assert "扫码评价" not in texts["acceptance"]
    start = texts["decision"].index("https://zwfw.example.gov.cn/rate/")
    url = texts["decision"][start : texts["decision"].index("?via=qr", start) + len("?via=qr")]
    # and the printed QR modules are exactly the QR encoding of that address
    widget = QrCodeWidget(url, barLevel="M", barBorder=0)
    widget.qr.make()
    modules = widget.qr.modules
    n = len(modules)
    dpi = 600
    subprocess.run(
        [
            "pdftoppm",
            "-png",
            "-r",
            str(dpi),
            "-f",
            "1",
            "-l",
            "1",
            "-singlefile",
            str(tmp_path / "decision.pdf"),
            str(tmp_path / "d"),
        ],
        check=True,
    )
    img = Image.open(tmp_path / "d.png").convert("L")
    px = dpi / 25.4 / (72 / 25.4)  # pixels per point
    left, top, size = 26 * 72 / 25.4 * px, img.height - (QR_BOTTOM + QR_SIZE) * px, QR_SIZE * px
    printed = [
        [
            img.getpixel((int(left + (col + 0.5) * size / n), int(top + (row + 0.5) * size / n))) < 128
            for col in range(n)
        ]
        for row in range(n)
    ]
    assert printed == [[bool(m) for m in row] for row in modules]
    # and the address opens the rating page of that case, recording the QR channel
    path = url.removeprefix("https://zwfw.example.gov.cn")
    page = client.get(path)
    assert page.status_code == 200
    assert world.dept.name in page.content.decode()
    client.post(path, {"level": "5", "via": "qr"})
    assert Rating.objects.get(case=case).source == "qr"
