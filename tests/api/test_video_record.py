"""A video cited as evidence in a filed visit: its record prints the poster frame and the
clip's length (视频 0:06) where a photo would be, and still renders as PDF."""

from __future__ import annotations

from httpx import AsyncClient

from backend.documents import context
from tests.api.test_documents import documents, filed, pdf_text
from tests.api.test_visits import scene, upload  # noqa: F401 (the scene fixture)
from tests.factories import video


async def test_a_video_cited_as_evidence_prints_its_poster_and_length(scene: dict) -> None:  # noqa: F811
    clip = await upload(scene["zhang"], scene["firm"]["id"], video("webm", "libvpx-vp9", seconds=6), "evidence",
                        "现场.webm")
    answers = [{"item": "A1", "result": "pass"},
               {"item": "B3", "result": "fail", "note": "执法记录仪录像", "media": [scene["evidence"], clip]}]
    visit_id = await filed(scene, answers=answers)

    photos = (await context.record(visit_id))["photos"]
    by_file = {p["file"]: p for p in photos}
    assert set(by_file) == {"", "视频 0:06"}
    assert all(p["src"].startswith("media:") and p["src"].endswith("/thumbnail") for p in photos)

    docs = await documents(scene["zhang"], visit_id)
    response = await scene["zhang"].get(f"/api/documents/{docs['record']['id']}/pdf")
    assert response.status_code == 200, response.text
    reader, pages = pdf_text(response.content)
    assert "视频 0:06" in "\n".join(pages)
    sizes = {image.name: image.image.size for page in reader.pages for image in page.images}  # pages share them
    posters = [name for name, size in sizes.items() if size == (160, 120)]
    assert len(posters) == 1  # the clip's poster frame (160 x 120), printed as its thumbnail


def test_a_document_cited_as_evidence_is_named_a_file() -> None:
    assert context._file_words("application/pdf", None) == "（文件）"
    assert context._file_words("video/mp4", None) == "视频"
    assert context._file_words("video/mp4", 3725.4) == "视频 1:02:05"
    assert context._file_words("image/jpeg", None) == ""
