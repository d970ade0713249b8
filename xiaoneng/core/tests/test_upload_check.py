"""core.uploads.upload_check: signatures at an offset (MP4), per-type size limits, and a refusal that
names the types the form takes (issue 9's evidence follow-up)."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from xiaoneng.catalog.services import MATERIAL_FILE_SIGNATURES
from xiaoneng.core.uploads import UPLOAD_SIGNATURES, upload_check, upload_kinds
from xiaoneng.inspections.actions.records import EVIDENCE_SIGNATURES, evidence_check

MP4 = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00" * 16
MB = 1024 * 1024


class Upload(io.BytesIO):
    """An uploaded file as upload_check sees it: name, size (which may claim more than the bytes)."""

    def __init__(self, name: str, data: bytes, size: int | None = None) -> None:
        super().__init__(data)
        self.name = name
        self.size = len(data) if size is None else size


def _code(upload: Upload, **kwargs) -> str | None:
    try:
        upload_check(upload, **kwargs)
    except ValidationError as e:
        return e.code
    return None


def test_a_signature_at_an_offset_is_checked_there():
    assert _code(Upload("a.mp4", MP4), signatures=EVIDENCE_SIGNATURES) is None
    # "ftyp" at the start, or anywhere but byte 4, is not an MP4
    assert _code(Upload("a.mp4", b"ftypmp42" + b"\x00" * 16), signatures=EVIDENCE_SIGNATURES) == "file_content"
    assert _code(Upload("a.mp4", b"\x00" * 8 + b"ftyp" + b"\x00" * 8), signatures=EVIDENCE_SIGNATURES) == (
        "file_content"
    )
    # too short to hold the mark
    assert _code(Upload("a.mp4", b"\x00\x00\x00"), signatures=EVIDENCE_SIGNATURES) == "file_content"
    # the common forms do not take video at all
    assert _code(Upload("a.mp4", MP4)) == "file_type"


def test_video_evidence_has_its_own_size_limit_and_other_files_keep_theirs():
    assert evidence_check(Upload("a.mp4", MP4, size=150 * MB)) == ".mp4"
    with pytest.raises(ValidationError, match="200 MB") as e:
        evidence_check(Upload("a.mp4", MP4, size=201 * MB))
    assert e.value.code == "file_size"
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16
    with pytest.raises(ValidationError, match="10 MB"):
        evidence_check(Upload("a.png", png, size=11 * MB))


def test_the_refusal_names_the_types_this_form_takes():
    with translation.override("zh-hans"), pytest.raises(ValidationError) as e:
        upload_check(Upload("a.exe", b"MZ"), signatures=EVIDENCE_SIGNATURES)
    message = e.value.messages[0]
    assert "a.exe" in message
    for kind in ("PDF", "JPG", "Word", "Excel", "MP3", "WAV", "AMR", "MP4"):
        assert kind in message
    assert message.count("JPG") == 1
    assert message.count("Word") == 1
    assert "ZIP" in upload_kinds(MATERIAL_FILE_SIGNATURES)
    assert "MP4" not in upload_kinds(UPLOAD_SIGNATURES)
    with translation.override("en"), pytest.raises(ValidationError) as e:
        upload_check(Upload("a.exe", b"MZ"))
    assert e.value.messages[0] == (
        "Files like “a.exe” cannot be uploaded. Allowed types: PDF, JPG, PNG, OFD, Word, Excel."
    )
