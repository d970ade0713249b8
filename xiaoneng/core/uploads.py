"""Files a visitor already chose survive a failed form (issue 9).

A form that takes files validates everything in one round (fields, files and the service's rules)
and, when anything fails, keeps each *valid* file in storage under ``pending/`` and lists it on the
re-rendered form as "已上传：name（移除）", so the visitor does not choose it again.

How a view uses it (see ``complaints.views.complain``):

* the form carries a one-time token in a hidden field (``submission_token_new()``); it is the key of
  the batch of kept files and, for the service, the idempotency key of the submission;
* ``pending = PendingUploads(request, token)``; ``pending.keep(upload)`` for each valid new file
  (``upload_check`` decides), ``pending.remove(id)`` when the visitor presses 移除 (the button posts
  ``remove_upload=<id>``), ``pending.files()`` for the template partial
  ``{% include "includes/pending_uploads.html" with pending=pending.files %}``;
* on success ``pending.opened()`` gives the files to store for good, then ``pending.discard()``.

The list of kept files lives in the visitor's session, so nobody else can claim them by guessing a
token or a path. Files left behind (a visitor who gives up) are deleted by
``pending_uploads_purge`` after ``MAX_AGE``.
"""

from __future__ import annotations

__all__ = [
    "MAX_UPLOAD_BYTES",
    "UPLOAD_SIGNATURES",
    "MultipleFileField",
    "MultipleFileInput",
    "PendingFile",
    "PendingUploads",
    "Signature",
    "pending_uploads_purge",
    "submission_token_new",
    "submission_token_valid",
    "upload_check",
    "upload_kinds",
]

import contextlib
import re
import secrets
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from pathlib import PurePath
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.storage import default_storage
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

# A file type's signature: the magic bytes its content must start with, or (offset, bytes) for a
# format whose mark is not at the start (MP4 and its relatives: the "ftyp" box type at byte 4).
type Signature = bytes | tuple[int, bytes]

# Allowed types with their signatures (the same list as case materials).
UPLOAD_SIGNATURES: dict[str, tuple[Signature, ...]] = {
    ".pdf": (b"%PDF",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".png": (b"\x89PNG",),
    ".ofd": (b"PK",),
    ".docx": (b"PK",),
    ".xlsx": (b"PK",),
    ".doc": (b"\xd0\xcf\x11\xe0",),
    ".xls": (b"\xd0\xcf\x11\xe0",),
}
# How a type is named to the visitor when a file is refused (several extensions, one name)
_KIND_NAMES = {
    ".pdf": "PDF",
    ".jpg": "JPG",
    ".jpeg": "JPG",
    ".png": "PNG",
    ".ofd": "OFD",
    ".doc": "Word",
    ".docx": "Word",
    ".xls": "Excel",
    ".xlsx": "Excel",
}
_HEAD_BYTES = 16  # enough for every signature above and in the callers' tables
MAX_UPLOAD_BYTES = 10 * 1024 * 1024
SESSION_KEY = "xn_pending_uploads"
PREFIX = "pending"
MAX_BATCHES = 5  # forms a visitor may have open with kept files at once
MAX_AGE = timedelta(days=1)
_TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
_ID_RE = re.compile(r"^[a-f0-9]{16}$")


def submission_token_new() -> str:
    """A fresh one-time token for a form's hidden field (32 URL-safe characters)."""
    return secrets.token_urlsafe(24)


def submission_token_valid(token: Any) -> bool:
    return isinstance(token, str) and bool(_TOKEN_RE.match(token))


def upload_kinds(signatures: dict[str, tuple[Signature, ...]] = UPLOAD_SIGNATURES) -> str:
    """The allowed types as the visitor reads them: "PDF、JPG、PNG…" (", " in English), each once."""
    names = dict.fromkeys(_KIND_NAMES.get(ext, ext.lstrip(".").upper()) for ext in signatures)
    return _("、").join(names)


def _signed(head: bytes, signature: Signature) -> bool:
    offset, magic = signature if isinstance(signature, tuple) else (0, signature)
    return head[offset : offset + len(magic)] == magic


def upload_check(
    upload: Any,
    *,
    signatures: dict[str, tuple[Signature, ...]] = UPLOAD_SIGNATURES,
    max_bytes: int = MAX_UPLOAD_BYTES,
    max_bytes_by_type: dict[str, int] | None = None,
) -> str:
    """Size and type limits; the content must match its extension. Returns the extension.
    `max_bytes_by_type` raises the limit for some extensions (video evidence).

    Raises a ValidationError naming the file, so that several bad files are reported together."""
    name = PurePath(getattr(upload, "name", "") or "").name
    ext = PurePath(name).suffix.lower()
    if ext not in signatures:
        raise ValidationError(
            _("文件“%(name)s”的类型不允许上传，请上传以下类型的文件：%(kinds)s。")
            % {"name": name, "kinds": upload_kinds(signatures)},
            code="file_type",
        )
    size = getattr(upload, "size", 0) or 0
    if size == 0:
        raise ValidationError(_("文件“%(name)s”是空文件。") % {"name": name}, code="file_empty")
    limit = (max_bytes_by_type or {}).get(ext, max_bytes)
    if size > limit:
        raise ValidationError(
            _("文件“%(name)s”超过 %(mb)d MB 的大小限制。") % {"name": name, "mb": limit // (1024 * 1024)},
            code="file_size",
        )
    upload.seek(0)
    head = upload.read(_HEAD_BYTES)
    upload.seek(0)
    if not any(_signed(head, sig) for sig in signatures[ext]):
        raise ValidationError(_("文件“%(name)s”的内容与扩展名不符，可能已损坏。") % {"name": name}, code="file_content")
    return ext


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """A file input that takes several files; `clean` returns the list (checked by the view with
    `upload_check`, one message per bad file)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


@dataclass(frozen=True)
class PendingFile:
    """A valid file kept for a form that has not been submitted successfully yet."""

    id: str
    name: str  # the visitor's file name, shown on the form
    path: str  # in default_storage
    size: int
    content_type: str


class PendingUploads:
    """The files kept for one form (one token) in this visitor's session."""

    def __init__(self, request: HttpRequest, token: str) -> None:
        if not submission_token_valid(token):
            raise ValueError("invalid submission token")
        self.request = request
        self.token = token

    # -- session bookkeeping ---------------------------------------------------------------------

    def _batches(self) -> dict[str, Any]:
        batches = self.request.session.get(SESSION_KEY)
        return batches if isinstance(batches, dict) else {}

    def _save(self, batches: dict[str, Any]) -> None:
        self.request.session[SESSION_KEY] = batches
        self.request.session.modified = True

    def files(self) -> list[PendingFile]:
        batch = self._batches().get(self.token) or {}
        out = []
        for row in batch.get("files", []):
            try:
                out.append(PendingFile(**row))
            except TypeError:
                continue
        return out

    def __iter__(self) -> Iterator[PendingFile]:
        return iter(self.files())

    def __len__(self) -> int:
        return len(self.files())

    # -- changes ---------------------------------------------------------------------------------

    def keep(self, upload: Any) -> PendingFile:
        """Store a (checked) upload and list it under this token."""
        name = PurePath(upload.name or "").name[:200] or "file"
        file_id = secrets.token_hex(8)
        ext = PurePath(name).suffix.lower()[:10]
        upload.seek(0)
        path = default_storage.save(f"{PREFIX}/{file_id}{ext}", upload)
        kept = PendingFile(
            id=file_id,
            name=name,
            path=path,
            size=int(upload.size or 0),
            content_type=(getattr(upload, "content_type", "") or "application/octet-stream")[:100],
        )
        batches = self._batches()
        batch = batches.setdefault(self.token, {"at": timezone.now().isoformat(), "files": []})
        batch["files"].append(asdict(kept))
        # a visitor who opens many forms keeps files for the newest few only
        for old in sorted(batches, key=lambda k: batches[k].get("at", ""))[:-MAX_BATCHES]:
            if old != self.token:
                _delete_rows(batches.pop(old).get("files", []))
        self._save(batches)
        return kept

    def remove(self, file_id: str) -> bool:
        """The visitor pressed 移除 next to a kept file."""
        if not isinstance(file_id, str) or not _ID_RE.match(file_id):
            return False
        batches = self._batches()
        batch = batches.get(self.token)
        if not batch:
            return False
        rows = batch.get("files", [])
        gone = [r for r in rows if r.get("id") == file_id]
        if not gone:
            return False
        batch["files"] = [r for r in rows if r.get("id") != file_id]
        _delete_rows(gone)
        self._save(batches)
        return True

    def opened(self) -> list[File[bytes]]:
        """The kept files, opened, each named as the visitor named it (for the service to store)."""
        out = []
        for f in self.files():
            if default_storage.exists(f.path):
                handle = File(default_storage.open(f.path, "rb"), name=f.name)
                handle.content_type = f.content_type  # type: ignore[attr-defined]
                out.append(handle)
        return out

    def discard(self) -> None:
        """After a successful submission (the service copied the files) or when abandoning the form."""
        batches = self._batches()
        batch = batches.pop(self.token, None)
        if batch is not None:
            _delete_rows(batch.get("files", []))
            self._save(batches)


def _delete_rows(rows: list[dict[str, Any]]) -> None:
    for row in rows:
        path = str(row.get("path", ""))
        if path.startswith(f"{PREFIX}/"):
            with contextlib.suppress(OSError):
                default_storage.delete(path)


def pending_uploads_purge(*, now: datetime | None = None, max_age: timedelta = MAX_AGE) -> int:
    """Delete kept files older than `max_age` (their visitor gave up). Idempotent; returns the count."""
    now = now or timezone.now()
    try:
        _dirs, names = default_storage.listdir(PREFIX)
    except (FileNotFoundError, NotImplementedError):
        return 0
    removed = 0
    for name in names:
        path = f"{PREFIX}/{name}"
        try:
            modified = default_storage.get_modified_time(path)
        except (FileNotFoundError, NotImplementedError):
            continue
        if timezone.is_naive(modified):
            modified = timezone.make_aware(modified)
        if now - modified > max_age:
            default_storage.delete(path)
            removed += 1
    return removed
