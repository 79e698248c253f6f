"""The domain's words, one meaning each (glossary.json): the documents, the exports and the
app's screens all take them from there, so 一般 cannot mean *major* on one page and *general
item* on another. ``LABELS`` are the Chinese words the paper and the spreadsheets print."""

from __future__ import annotations

import json
from pathlib import Path

GLOSSARY = json.loads((Path(__file__).parent / "glossary.json").read_text())
LABELS: dict[str, dict[str, str]] = GLOSSARY["zh-CN"]
