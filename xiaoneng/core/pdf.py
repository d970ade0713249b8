"""The one font every PDF of Xiaoneng is set in (notices, referral slips, bulletins).

A PDF must carry its Chinese font: a document that only names a font (reportlab's built-in Adobe CID
font STSong-Light) shows empty boxes in every reader that has no such font, and prints differently
from machine to machine. reportlab embeds TrueType outlines only; Debian's Noto CJK fonts
(fonts-noto-cjk, fonts-noto-cjk-extra) are OpenType/CFF collections that reportlab cannot read
("postscript outlines are not supported"). So the PDFs are set in AR PL UMing CN (Debian
fonts-arphic-uming, a Song/Ming face as official documents use), embedded as a subset of the
characters used.

Settings: XIAONENG_PDF_FONT (path to another TrueType font or collection) and
XIAONENG_PDF_FONT_INDEX (the face of a .ttc). There is no silent fallback: a machine without the font
fails with a message that says what to install.
"""

from __future__ import annotations

__all__ = ["DEFAULT_FONT_INDEX", "DEFAULT_FONT_PATH", "pdf_font"]

import hashlib
from functools import cache
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFError, TTFont

DEFAULT_FONT_PATH = "/usr/share/fonts/truetype/arphic/uming.ttc"  # Debian fonts-arphic-uming
DEFAULT_FONT_INDEX = 0  # AR PL UMing CN (simplified Chinese forms)


@cache
def pdf_font() -> str:
    """Register the embeddable CJK TrueType font once per process and return its reportlab name.

    Raises ImproperlyConfigured when the font file is missing or is not a TrueType font reportlab
    can embed: a notice without its font would be unreadable, so none is produced."""
    path = str(getattr(settings, "XIAONENG_PDF_FONT", "") or DEFAULT_FONT_PATH)
    index = int(getattr(settings, "XIAONENG_PDF_FONT_INDEX", DEFAULT_FONT_INDEX) or 0)
    if not Path(path).is_file():
        raise ImproperlyConfigured(
            f"The PDF font {path} is missing. Install it (apt-get install fonts-arphic-uming) or set "
            "XIAONENG_PDF_FONT to a TrueType CJK font (.ttf/.ttc) that reportlab can embed."
        )
    # reportlab keeps the first font registered under a name: one name per file and face
    name = "XNCJK-" + hashlib.sha256(f"{path}:{index}".encode()).hexdigest()[:8]
    try:
        font = TTFont(name, path, subfontIndex=index)
    except TTFError as e:
        raise ImproperlyConfigured(
            f"The PDF font {path} (face {index}) cannot be embedded: {e}. reportlab reads TrueType "
            "outlines only (not OpenType/CFF such as Noto Sans CJK); use AR PL UMing (fonts-arphic-uming)."
        ) from e
    pdfmetrics.registerFont(font)
    return name
