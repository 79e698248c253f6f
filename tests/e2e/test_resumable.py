"""The PWA's resumable upload (pwa/src/resumable.js) in Chromium against the live server:
a video goes up in chunks, the page is reloaded midway, and the next attempt resumes from
the bytes the server holds (the upload's URL kept in localStorage) and files the video.

The module is loaded from its source (as blob: URLs) until the outbox sends videos by it."""

from __future__ import annotations

import base64
from pathlib import Path

from playwright.sync_api import Page

from tests.e2e.conftest import call, enrol
from tests.factories import video

SOURCE = Path(__file__).resolve().parents[2] / "pwa" / "src"
CHUNK = 2 * 2**20  # resumable.js's


def resumable_sources() -> list[str]:
    """pwa/src/api.js and resumable.js as they are, for SEND to load in the page; only the
    sentence of a refusal, errors.js's work in the app, is left out (with its string tables)."""
    api = (SOURCE / "api.js").read_text().replace(
        "import { sayAnswer } from './errors.js';", "const sayAnswer = (status, body) => body?.detail || `HTTP ${status}`;")
    assert "sayAnswer = " in api
    return [api, (SOURCE / "resumable.js").read_text()]


SEND = """async ([api, resumable, fields, data, stopAt]) => {
    const url = (source) => URL.createObjectURL(new Blob([source], { type: 'text/javascript' }));
    const { sendResumable } = await import(url(resumable.replace("'./api.js'", `'${url(api)}'`)));
    const bytes = Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
    const stop = new AbortController();
    const seen = [];
    try {
        const done = await sendResumable(fields, new File([bytes], 'clip.mp4'), { signal: stop.signal,
            onProgress: (sent) => { seen.push(sent); if (sent >= stopAt) stop.abort(new Error('reload')); } });
        return { ...done, seen };
    } catch (error) {
        return { stopped: String(error.message), seen };
    }
}"""


def test_a_video_upload_resumes_after_a_reload(page: Page, live_server: str) -> None:
    enrol(page, live_server, "inspector", region="371621")
    sources = resumable_sources()
    firm = call(page, "GET", "/api/enterprises?limit=1").json()["items"][0]
    clip = video(seconds=2)
    content = clip + (5 * 2**20 + 8 - len(clip)).to_bytes(4, "big") + b"free" + bytes(5 * 2**20 - len(clip))
    fields = {"id": "6f1d6a2e-8f3b-4c1e-9a57-3d5a7e0c2b11", "enterprise_id": firm["id"], "category": "evidence"}
    data = base64.b64encode(content).decode()

    first = page.evaluate(SEND, [*sources, fields, data, CHUNK])  # stopped once the first chunk is in
    assert first["stopped"] == "reload" and first["seen"][-1] == CHUNK, first
    page.reload()
    second = page.evaluate(SEND, [*sources, fields, data, len(content) + 1])

    assert second["status"] == 201, second
    assert (second["body"]["id"], second["body"]["size"], second["body"]["mime"]) == (
        fields["id"], len(content), "video/mp4")
    assert second["seen"][0] == CHUNK  # it went on from the bytes the server held
    assert page.evaluate(f"localStorage.getItem('dossier.upload.{fields['id']}')") is None
    original = call(page, "GET", f"/api/media/{fields['id']}/original")
    assert original.body() == content
