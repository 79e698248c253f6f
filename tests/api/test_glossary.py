"""One vocabulary (backend/glossary.json): the paper, the exports and every screen say one word
for one thing. The rules run in the app's own string table (pwa/src/i18n.js): these tests run
that module under Node (through Vite, as the app is built) and show what it refuses; the app
starting at all in the browser tests shows that every screen's words pass them."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from backend.glossary import GLOSSARY, LABELS

PWA = Path(__file__).resolve().parents[2] / "pwa"

# Loads pwa/src/i18n.js with Vite's module runner, then runs the given calls and prints what
# each one threw (or "ok").
HARNESS = """
import { createServer } from 'vite';
globalThis.localStorage = { getItem: () => null, setItem() {} };
const server = await createServer({ configFile: false, root: process.cwd(), logLevel: 'silent', appType: 'custom',
  server: { middlewareMode: true, hmr: false, fs: { allow: ['..'] } } });
const outcomes = [];
try {
  const { addStrings, t } = await server.ssrLoadModule('/src/i18n.js');
  for (const [zh, en] of JSON.parse(process.argv[1])) {
    try {
      const made = (strings) => Object.fromEntries(Object.entries(strings).map(([k, v]) => [k, v === 'FUNCTION' ? () => v : v]));
      addStrings(made(zh), made(en));
      outcomes.push('ok');
    } catch (e) { outcomes.push(e.message); }
  }
  outcomes.push(t('severities').major, t('item_classes').general);
} finally { await server.close(); }
console.log(JSON.stringify(outcomes));
"""


def added(*calls: tuple[dict, dict]) -> list[str]:
    """What pwa/src/i18n.js's addStrings says to each (zh, en) call, in order, then the words
    the table holds for a major severity and a general item."""
    out = subprocess.run(["node", "--input-type=module", "-e", HARNESS, json.dumps(calls)], cwd=PWA,
                         capture_output=True, text=True, timeout=120, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_the_glossary_gives_every_word_in_both_languages() -> None:
    zh, en = GLOSSARY["zh-CN"], GLOSSARY["en"]
    assert LABELS is zh and zh.keys() == en.keys()
    assert all(zh[section].keys() == en[section].keys() for section in zh)
    assert all(text.strip() for section in (*zh.values(), *en.values()) for text in section.values())
    for pair in GLOSSARY["same_meaning"]:
        assert all(path.split(".")[1] in zh[path.split(".")[0]] for path in pair), pair


def test_a_severity_and_an_item_class_do_not_share_a_word() -> None:
    """The issue seen: 一般 meant *major* on the review screen and 一般项 *general item* on the form."""
    *_, major, general = added()
    assert (major, general) == (LABELS["severities"]["major"], LABELS["item_classes"]["general"]) == ("较重", "一般项")


@pytest.mark.parametrize(("zh", "en", "refusal"), [
    ({"findingLevel": {"major": "一般"}}, {"findingLevel": {"major": "Serious"}},
     '"一般" (findingLevel.major) is the glossary\'s item_classes.general: use that'),
    ({"resultWord": "符合"}, {"resultWord": "Conforms"}, '"符合" (resultWord) is the glossary\'s results.pass: use that'),
    ({"badge": "Fine"}, {"badge": "Serious"}, '"Serious" (badge) is the glossary\'s severities.major: use that'),
    ({"severities": {"critical": "严重", "major": "一般", "minor": "轻微"}}, {"severities": {}},
     'String "severities" is already defined with other words'),
])
def test_a_glossary_word_with_another_meaning_is_refused(zh: dict, en: dict, refusal: str) -> None:
    assert added((zh, en))[0] == refusal


def test_a_key_defined_as_two_kinds_of_thing_is_refused() -> None:
    """The issue seen: startedAt was a sentence maker in visit.js and a label in review.js."""
    outcome = added(({"startLabel": "开始时间"}, {"startLabel": "Started"}),
                    ({"startLabel": "FUNCTION"}, {"startLabel": "FUNCTION"}))
    assert outcome[:2] == ["ok", 'String "startLabel" is already defined as a string']


def test_the_same_word_under_the_same_name_or_a_declared_pair_is_one_meaning() -> None:
    outcome = added(({"photoKinds2": {"signature": "签名", "pass": "符合"}}, {"photoKinds2": {"signature": "Signature"}}),
                    ({"queue": {"pending": "待审核"}}, {"queue": {"pending": "Waiting for review"}}))
    assert outcome[:2] == ["ok", "ok"]
