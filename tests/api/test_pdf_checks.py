"""PDF documents are parsed (pypdf) before they are filed: a real one is recorded with its
page count and page size; noise between `%PDF-` and `%%EOF`, encrypted files and files
that can act when opened (JavaScript, launch actions, embedded files) are refused, naming
the field "file", and leave nothing behind."""

from __future__ import annotations

import os
from typing import Callable

import pytest
from httpx import AsyncClient
from pypdf import PdfWriter
from pypdf.generic import DictionaryObject, NameObject, TextStringObject

from backend.media.tables import Blob, MediaItem
from backend.settings import Settings
from tests.api.test_media import firm, stored_files, upload  # noqa: F401  (firm is a fixture)
from tests.conftest import fetched
from tests.factories import pdf


def _on_opening(kind: str, key: str, value: str) -> Callable[[PdfWriter], None]:
    """An action the reader runs when the file opens (the catalogue's /OpenAction)."""
    def change(writer: PdfWriter) -> None:
        writer._root_object[NameObject("/OpenAction")] = DictionaryObject({
            NameObject("/S"): NameObject(kind), NameObject(key): TextStringObject(value)})
    return change


async def test_a_real_pdf_is_filed_with_its_pages(client: AsyncClient, firm: dict) -> None:
    content = pdf(pages=3)
    status, media = await upload(client, firm["id"], content, "licence.pdf", category="licence")
    assert status == 201, media
    assert (media["mime"], media["pages"], media["width"], media["height"]) == ("application/pdf", 3, 595, 842)
    assert media["duration"] is None and media["codec"] is None
    assert (await fetched(client, f"/api/media/{media['id']}/original")).content == content


async def test_a_pdf_restricted_only_by_an_owner_password_is_filed(client: AsyncClient, firm: dict) -> None:
    """It opens without a password (printing or editing restricted): licences often are."""
    status, media = await upload(client, firm["id"], pdf(pages=2, change=lambda w: w.encrypt("", "owner")),
                                 "licence.pdf", category="licence")
    assert status == 201, media
    assert media["pages"] == 2


@pytest.mark.parametrize(
    ("name", "content", "words"),
    [
        ("noise.pdf", b"%PDF-1.7\n" + os.urandom(50_000) + b"\n%%EOF\n", "cannot be read"),
        ("encrypted.pdf", pdf(change=lambda w: w.encrypt("secret")), "encrypted"),
        ("script.pdf", pdf(change=_on_opening("/JavaScript", "/JS", "app.alert('hi');")), "JavaScript"),
        ("launch.pdf", pdf(change=_on_opening("/Launch", "/F", "cmd.exe")), "Launch action"),
        ("attachment.pdf", pdf(change=lambda w: w.add_attachment("run.bat", b"format c:")), "embedded file"),
        ("cut.pdf", pdf(complete=False), "cut off"),
    ],
)
async def test_pdfs_that_cannot_be_trusted_are_refused(client: AsyncClient, firm: dict, settings: Settings, name: str,
                                                      content: bytes, words: str) -> None:
    code, body = await upload(client, firm["id"], content, name, category="licence")
    assert code == 400, body
    assert words in body["detail"] and body["extra"][0]["key"] == "file"
    assert stored_files(settings) == []
    assert await MediaItem.count() == 0 and await Blob.count() == 0
