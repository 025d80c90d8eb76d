"""Uploaded files waiting between an import's preview and its confirmation.

Every import stores its file here (`upload_store`) and gets back a signed token;
the confirm step opens the file from that token only (`upload_open`), so a
request can reach no file but one its own user uploaded: the token names the
user, is signed with SECRET_KEY and expires. Files live in one private folder
per user under `settings.UPLOAD_ROOT` and are swept when they grow old
(`uploads_sweep`, at every new upload and by `manage.py clean_uploads`).

`upload_rows` reads a stored CSV or Excel file as dicts, one per row, keyed by
the header row, checking the limits before anything heavy is parsed: the file's
size, the number of rows and, for Excel, the unzipped size of its parts (a
small xlsx can unzip to gigabytes of shared strings).
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import re
import shutil
import time
import uuid
import zipfile
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core import signing
from django.utils.translation import gettext as _

SALT = "units.uploads"
FORMATS = ("csv", "xlsx")
NAME = re.compile(r"[0-9a-f]{32}\.[a-z0-9_]{1,16}\.(csv|xlsx)")
KIND = re.compile(r"[a-z0-9_]{1,16}")
CHUNK = 64 * 1024


class UploadRefused(Exception):
    """The upload cannot be used; `str()` is a message for the user, in their language."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


def upload_root() -> Path:
    return Path(settings.UPLOAD_ROOT)


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.0f} MB"


def _user_folder(user) -> Path:
    folder = upload_root() / str(int(user.pk))
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    return folder


def upload_limits() -> dict[str, str]:
    """The limits as a person reads them: {"size": "10 MB", "rows": "100.000"}."""
    return {
        "size": _megabytes(settings.UPLOAD_MAX_BYTES),
        "rows": f"{settings.UPLOAD_MAX_ROWS:,}".replace(",", "."),
    }


def upload_format(name: str) -> str:
    """The format of an uploaded file by its name's extension ("csv" or "xlsx")."""
    suffix = Path(name or "").suffix.lower().lstrip(".")
    if suffix not in FORMATS:
        raise UploadRefused(
            _("Only CSV and Excel (.xlsx) files can be imported; “%(name)s” is neither.")
            % {"name": Path(name or "").name}
        )
    return suffix


def upload_store(*, user, file, kind: str, fmt: str | None = None) -> str:
    """Save `file` (an uploaded file) for `user`; returns the token that opens it again.

    `kind` names the import ("results", "units"...); `fmt` the format, by default
    from the file's name. A file over UPLOAD_MAX_BYTES is refused (UploadRefused)
    and nothing is kept. Old uploads of every user are swept first.
    """
    if not KIND.fullmatch(kind):
        raise ValueError(f"bad upload kind {kind!r}")
    fmt = fmt or upload_format(getattr(file, "name", ""))
    if fmt not in FORMATS:
        raise UploadRefused(_("Choose CSV or Excel (.xlsx)."))
    limit = settings.UPLOAD_MAX_BYTES
    if getattr(file, "size", None) is not None and file.size > limit:
        raise _too_big(limit)
    uploads_sweep(older_than=timedelta(seconds=settings.UPLOAD_MAX_AGE))
    name = f"{uuid.uuid4().hex}.{kind}.{fmt}"
    path = _user_folder(user) / name
    written = 0
    try:
        with path.open("xb") as out:
            path.chmod(0o600)
            chunks = (
                file.chunks(CHUNK)
                if hasattr(file, "chunks")
                else iter(lambda: file.read(CHUNK), b"")
            )
            for chunk in chunks:
                written += len(chunk)
                if written > limit:
                    raise _too_big(limit)
                out.write(chunk)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return signing.dumps({"user": int(user.pk), "name": name}, salt=SALT, compress=True)


def _too_big(limit: int) -> UploadRefused:
    return UploadRefused(
        _("The file is larger than %(limit)s: split it into smaller files.")
        % {"limit": _megabytes(limit)}
    )


def upload_open(*, user, token: str) -> Path:
    """The stored file of `token`, which must have been made for `user` and not expired."""
    gone = UploadRefused(
        _("The uploaded file is no longer available (expired or not yours): upload it again.")
    )
    try:
        data = signing.loads(str(token or ""), salt=SALT, max_age=settings.UPLOAD_MAX_AGE)
    except signing.BadSignature:
        raise gone from None
    if not isinstance(data, dict) or user is None or data.get("user") != user.pk:
        raise gone
    name = data.get("name")
    if not isinstance(name, str) or not NAME.fullmatch(name):
        raise gone
    path = upload_root() / str(int(user.pk)) / name
    if not path.is_file():
        raise gone
    return path


def upload_kind(path: Path) -> tuple[str, str]:
    """(kind, format) of a stored upload, from its name."""
    _stem, kind, fmt = path.name.split(".")
    return kind, fmt


def upload_remove(*, user, token: str) -> None:
    """Delete the stored file of `token` (made for `user`); nothing if already gone."""
    try:
        path = upload_open(user=user, token=token)
    except UploadRefused:
        return
    path.unlink(missing_ok=True)


def uploads_sweep(*, older_than: timedelta) -> int:
    """Delete uploads older than `older_than` (previews never confirmed, killed workers).

    Returns how many files went. Empty user folders go too.
    """
    root = upload_root()
    if not root.is_dir():
        return 0
    cutoff = time.time() - older_than.total_seconds()
    removed = 0
    for folder in root.iterdir():
        if not folder.is_dir() or folder.is_symlink():
            continue
        for path in folder.iterdir():
            try:
                if path.is_symlink() or path.stat().st_mtime < cutoff:
                    if path.is_dir() and not path.is_symlink():
                        shutil.rmtree(path, ignore_errors=True)
                    else:
                        path.unlink(missing_ok=True)
                    removed += 1
            except FileNotFoundError:
                continue  # another sweep got there first
        with contextlib.suppress(OSError):
            folder.rmdir()  # only when empty
    return removed


# Reading -----------------------------------------------------------------------


def upload_rows(*, path: Path, fmt: str, max_rows: int | None = None) -> Iterator[dict]:
    """The rows of a stored CSV or xlsx file as dicts keyed by the header row.

    Every dict has every header as a key. Blank rows are dropped. The limits
    (UPLOAD_MAX_BYTES, `max_rows` or UPLOAD_MAX_ROWS, and for xlsx
    UPLOAD_MAX_UNZIPPED_BYTES) are checked before the heavy parsing or while
    streaming, raising UploadRefused with a message for the user.
    """
    path = Path(path)
    max_rows = settings.UPLOAD_MAX_ROWS if max_rows is None else max_rows
    if path.stat().st_size > settings.UPLOAD_MAX_BYTES:
        raise _too_big(settings.UPLOAD_MAX_BYTES)
    if fmt == "csv":
        rows = _csv_rows(path)
    elif fmt == "xlsx":
        rows = _xlsx_rows(path)
    else:
        raise UploadRefused(_("Choose CSV or Excel (.xlsx)."))
    return _bounded(rows, max_rows)


def _bounded(rows: Iterator[dict], max_rows: int) -> Iterator[dict]:
    for count, row in enumerate(rows, start=1):
        if count > max_rows:
            raise UploadRefused(
                _("The file has more than %(limit)s rows: split it into smaller files.")
                % {"limit": f"{max_rows:,}".replace(",", ".")}
            )
        yield row


def _headers(values) -> list[str]:
    headers = ["" if value is None else str(value).strip() for value in values]
    while headers and not headers[-1]:
        headers.pop()
    if not any(headers):
        raise UploadRefused(_("The file has no header row."))
    return headers


def _csv_rows(path: Path) -> Iterator[dict]:
    with path.open("rb") as raw:
        head = raw.read(CHUNK)
    encoding = "utf-8-sig"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        raise UploadRefused(
            _("The CSV file is not in UTF-8: save it again as “CSV UTF-8”.")
        ) from None
    try:
        with path.open(encoding=encoding, newline="") as text:
            first_line = text.readline()
            text.seek(0)
            # Excel writes ";" where the comma is the decimal separator (vi-VN).
            delimiter = max(",;\t", key=first_line.count)
            reader = csv.reader(text, delimiter=delimiter)
            headers = _headers(next(reader, []))
            for values in reader:
                if not any(value.strip() for value in values):
                    continue
                values = values[: len(headers)] + [""] * (len(headers) - len(values))
                yield dict(zip(headers, values, strict=True))
    except UnicodeDecodeError:
        raise UploadRefused(
            _("The CSV file is not in UTF-8: save it again as “CSV UTF-8”.")
        ) from None
    except csv.Error as error:
        raise UploadRefused(
            _("The CSV file cannot be read: %(error)s.") % {"error": error}
        ) from None


def _xlsx_rows(path: Path) -> Iterator[dict]:
    import openpyxl  # only when an Excel file comes

    not_excel = UploadRefused(_("The file is not an Excel (.xlsx) workbook."))
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError):
        raise not_excel from None
    # zipfile never yields more than a member's declared size, so the sum of the
    # declared sizes bounds what openpyxl can unzip (shared strings included).
    unzipped = sum(member.file_size for member in members)
    if len(members) > 1000 or unzipped > settings.UPLOAD_MAX_UNZIPPED_BYTES:
        raise UploadRefused(
            _(
                "The Excel file unzips to more than %(limit)s: split it into smaller "
                "files or save it as CSV."
            )
            % {"limit": _megabytes(settings.UPLOAD_MAX_UNZIPPED_BYTES)}
        )
    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds on a broken workbook
        raise not_excel from None
    try:
        rows = workbook.active.iter_rows(values_only=True)
        headers = _headers(next(rows, []))
        width = len(headers)
        for values in rows:
            values = list(values[:width])
            if not any(value not in (None, "") for value in values):
                continue
            values += [None] * (width - len(values))
            yield dict(zip(headers, values, strict=True))
    except UploadRefused:
        raise
    except Exception:
        raise not_excel from None
    finally:
        workbook.close()
