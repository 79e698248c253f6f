"""Documents to PDF: the Jinja2 templates in templates/ filled with a context of
context.py, laid out by WeasyPrint on A4 with Noto Sans CJK embedded (subset), the page
footer 第 N 页 共 M 页 and the verification QR code in every page's top margin.

Images come only from the media store (``media:<sha256>/<variant>``) and data: URIs; the
renderer fetches nothing else, so a caption or a name can never make the server fetch a
URL. The same context gives the same bytes (WeasyPrint writes no dates or random ids),
so a document rendered twice, by two requests at once, is one file."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import segno
import weasyprint
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from PIL import ImageFile
from weasyprint.urls import URLFetcher, URLFetcherResponse

from backend.media.jobs import stored
from backend.media.store import MediaStore

# WeasyPrint sets Pillow's process-wide LOAD_TRUNCATED_IMAGES on import: a truncated
# upload would then decode and be filed. Uploads must stay refused (tests/api/test_media.py);
# the images a document embeds are our own stored derivatives, whole.
ImageFile.LOAD_TRUNCATED_IMAGES = False

TEMPLATES = Path(__file__).parent / "templates"
ENVIRONMENT = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=True, undefined=StrictUndefined)
MEDIA_URL = re.compile(r"^media:([0-9a-f]{64})/(original|preview|thumbnail)$")


class _StoreFetcher(URLFetcher):
    """Serves ``media:`` URLs from the store and data: URIs; refuses everything else."""

    def __init__(self, store: MediaStore) -> None:
        super().__init__(allowed_protocols={"data"})
        self.store = store

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        if match := MEDIA_URL.match(url):
            return URLFetcherResponse(url, stored(self.store, match[1], match[2]))  # made now if not yet
        return super().fetch(url, headers)


def html(context: dict[str, Any]) -> str:
    return ENVIRONMENT.get_template(f"{context['kind']}.html").render(**context)


def qr(url: str) -> str:
    """The verification URL as a QR code (a PNG data: URI: one image per page, which
    anyone can extract from the PDF and decode)."""
    return segno.make(url, error="m", micro=False).png_data_uri(scale=6, border=2)


def pdf(context: dict[str, Any], store: MediaStore) -> bytes:
    """The document as PDF (blocking: run it in a thread)."""
    return weasyprint.HTML(string=html(context), url_fetcher=_StoreFetcher(store), base_url="media:/").write_pdf()
