"""The shared upload store: own files only, bounded, swept."""

import io
import os
import time
import zipfile
from datetime import timedelta

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from tests.factories import make_root, make_user
from units.uploads import (
    UploadRefused,
    upload_open,
    upload_remove,
    upload_rows,
    upload_store,
    uploads_sweep,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def upload_root(settings, tmp_path):
    settings.UPLOAD_ROOT = tmp_path / "uploads"
    return settings.UPLOAD_ROOT


@pytest.fixture
def users():
    root = make_root()
    return make_user("mot", unit=root), make_user("hai", unit=root)


def csv_file(text: str, name: str = "ket-qua.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode("utf-8"))


def xlsx_bytes(rows) -> bytes:
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_a_stored_file_opens_for_its_user_only(users):
    """The token opens the file for the user who uploaded it; for another it is refused."""
    first, second = users
    token = upload_store(user=first, file=csv_file("a,b\n1,2\n"), kind="results")
    path = upload_open(user=first, token=token)
    assert path.read_text() == "a,b\n1,2\n"
    assert path.parent.name == str(first.pk)
    with pytest.raises(UploadRefused):
        upload_open(user=second, token=token)


@pytest.mark.parametrize("token", ["", "../../etc/passwd", "abc", "x" * 500, "a:b:c"])
def test_a_forged_token_opens_nothing(users, token):
    """A name or a tampered token is not a way to a file."""
    with pytest.raises(UploadRefused):
        upload_open(user=users[0], token=token)


def test_a_tampered_token_is_refused(users):
    """Changing one character of the signed token breaks it."""
    token = upload_store(user=users[0], file=csv_file("a\n1\n"), kind="results")
    tampered = token[:-2] + ("A" if token[-2] != "A" else "B") + token[-1]
    with pytest.raises(UploadRefused):
        upload_open(user=users[0], token=tampered)


def test_remove_deletes_only_the_own_upload(users):
    """Removing with another user's token leaves the file; the owner's removal deletes it."""
    first, second = users
    token = upload_store(user=first, file=csv_file("a\n1\n"), kind="results")
    path = upload_open(user=first, token=token)
    upload_remove(user=second, token=token)
    assert path.exists()
    upload_remove(user=first, token=token)
    assert not path.exists()
    upload_remove(user=first, token=token)  # twice is harmless


def test_a_file_over_the_size_limit_is_refused_and_not_kept(users, settings, upload_root):
    """A file larger than UPLOAD_MAX_BYTES is refused with a message, and nothing stays on disk."""
    settings.UPLOAD_MAX_BYTES = 100
    with pytest.raises(UploadRefused, match="MB"):
        upload_store(user=users[0], file=csv_file("a\n" + "1\n" * 100), kind="results")
    assert not any(path.is_file() for path in upload_root.rglob("*"))


def test_other_formats_are_refused(users):
    """Only CSV and xlsx are stored."""
    with pytest.raises(UploadRefused, match="CSV"):
        upload_store(user=users[0], file=csv_file("x", name="a.exe"), kind="results")


def test_old_uploads_are_swept_at_the_next_upload(users, settings):
    """An upload older than UPLOAD_MAX_AGE is deleted when anyone uploads again."""
    first, second = users
    token = upload_store(user=first, file=csv_file("a\n1\n"), kind="results")
    path = upload_open(user=first, token=token)
    old = time.time() - settings.UPLOAD_MAX_AGE - 60
    os.utime(path, (old, old))
    upload_store(user=second, file=csv_file("a\n1\n"), kind="results")
    assert not path.exists()


def test_clean_uploads_command_deletes_old_files(users, upload_root):
    """`manage.py clean_uploads --hours 1` deletes older uploads and keeps recent ones."""
    old_token = upload_store(user=users[0], file=csv_file("a\n1\n"), kind="results")
    new_token = upload_store(user=users[0], file=csv_file("a\n2\n"), kind="results")
    old_path = upload_open(user=users[0], token=old_token)
    two_hours_ago = time.time() - 7200
    os.utime(old_path, (two_hours_ago, two_hours_ago))
    out = io.StringIO()
    call_command("clean_uploads", "--hours", "1", stdout=out)
    assert "1" in out.getvalue()
    assert not old_path.exists()
    assert upload_open(user=users[0], token=new_token).exists()
    assert uploads_sweep(older_than=timedelta(0)) == 1


def test_csv_rows_are_dicts_keyed_by_header(tmp_path):
    """CSV rows come as dicts (BOM removed, semicolons understood, blank rows dropped)."""
    path = tmp_path / "a.csv"
    path.write_bytes("\ufeffMã;Năm\n1;2024\n\n2;2025\n".encode())
    assert list(upload_rows(path=path, fmt="csv", max_rows=10)) == [
        {"Mã": "1", "Năm": "2024"},
        {"Mã": "2", "Năm": "2025"},
    ]


def test_too_many_rows_are_refused(tmp_path):
    """A file with more rows than allowed is refused with a message naming the limit."""
    path = tmp_path / "a.csv"
    path.write_text("a\n" + "1\n" * 11)
    with pytest.raises(UploadRefused, match="10"):
        list(upload_rows(path=path, fmt="csv", max_rows=10))


def test_a_csv_not_in_utf8_is_refused(tmp_path):
    """A CSV saved in another encoding gets a message, not a traceback."""
    path = tmp_path / "a.csv"
    path.write_bytes("Mã,Năm\n1,2024\n".encode("utf-16"))
    with pytest.raises(UploadRefused, match="UTF-8"):
        list(upload_rows(path=path, fmt="csv"))


def test_xlsx_rows_are_read(tmp_path):
    """An Excel sheet's rows come as dicts keyed by its header row."""
    path = tmp_path / "a.xlsx"
    path.write_bytes(xlsx_bytes([["Mã", "Năm"], ["1", 2024], [None, None], ["2", 2025]]))
    assert list(upload_rows(path=path, fmt="xlsx")) == [
        {"Mã": "1", "Năm": 2024},
        {"Mã": "2", "Năm": 2025},
    ]


def test_an_xlsx_that_unzips_too_big_is_refused_before_parsing(tmp_path, settings):
    """A small xlsx whose shared strings unzip beyond the limit is refused before openpyxl runs."""
    settings.UPLOAD_MAX_UNZIPPED_BYTES = 1024 * 1024
    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/sharedStrings.xml", "<sst>" + "a" * (2 * 1024 * 1024) + "</sst>")
    assert path.stat().st_size < 100 * 1024
    with pytest.raises(UploadRefused, match="MB"):
        list(upload_rows(path=path, fmt="xlsx"))


def test_a_file_that_is_not_a_workbook_is_refused(tmp_path):
    """A CSV renamed .xlsx gets a message."""
    path = tmp_path / "a.xlsx"
    path.write_text("a,b\n1,2\n")
    with pytest.raises(UploadRefused, match="Excel"):
        list(upload_rows(path=path, fmt="xlsx"))


def test_rows_of_an_oversized_file_are_refused(tmp_path, settings):
    """A stored file over the size limit is not read."""
    settings.UPLOAD_MAX_BYTES = 10
    path = tmp_path / "a.csv"
    path.write_text("a\n" + "1\n" * 10)
    with pytest.raises(UploadRefused):
        upload_rows(path=path, fmt="csv")
