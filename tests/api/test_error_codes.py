"""Every refusal carries a stable code, the field and the params beside its English
sentence, and the PWA can say every code the server may answer in Chinese (and in English
where the server's sentence is not for people) (pwa/src/errors.js)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from httpx import AsyncClient

from backend.app import _HTTP_CODES
from tests.factories import enterprise_body, make_uscc

ROOT = Path(__file__).resolve().parents[2]
ERROR_CLASSES = {"DomainError", "Invalid", "Unauthenticated", "Forbidden", "Gone", "TooLarge", "Unsupported", "NotFound",
                 "Conflict", "ChecksumMismatch", "OffsetMismatch", "RangeNotSatisfiable", "FontMissing", "USCCError"}


def server_codes() -> set[str]:
    """Every code backend/ can answer: a literal `code="…"` argument of any call (the error
    classes, reason_of's table, _error), a `code = "…"` assignment, a `"code": "…"` entry of
    a dict that also has "params" (bodies made by hand) and the values of a module's *_CODES
    table (Litestar's own refusals)."""
    codes, unnamed = set(), []
    for path in sorted((ROOT / "backend").rglob("*.py")):
        tree = ast.parse(path.read_text(), str(path))
        # a code may also be a caught error's (e.code) or reason_of's answer: `code, params = reason_of(…)`
        read = {t.id for node in ast.walk(tree) if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call)
                and getattr(node.value.func, "id", None) == "reason_of"
                for target in node.targets if isinstance(target, ast.Tuple) for t in target.elts[:1]}
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                if getattr(node.func, "attr", None) == "get" and getattr(node.func.value, "id", "").endswith("_CODES"):
                    codes.add(node.args[1].value)  # a *_CODES table's default
                code = next((k.value for k in node.keywords if k.arg == "code"), None)
                if isinstance(code, ast.IfExp):  # one code or another
                    codes |= {c.value for c in (code.body, code.orelse) if isinstance(c, ast.Constant)}
                elif isinstance(code, ast.Constant):
                    codes.add(code.value)
                elif (isinstance(node.func, ast.Name) and node.func.id in ERROR_CLASSES
                      and not (isinstance(code, ast.Attribute) and code.attr == "code")
                      and not (isinstance(code, ast.Name) and code.id in read)):
                    unnamed.append(f"{path.relative_to(ROOT)}:{node.lineno}")  # no code, or one that cannot be read
            elif isinstance(node, ast.Dict):
                said = {k.value: v for k, v in zip(node.keys, node.values, strict=True) if isinstance(k, ast.Constant)}
                if "params" in said and isinstance(said.get("code"), ast.Constant):
                    codes.add(said["code"].value)
            elif isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant | ast.Dict):
                names = {t.id for t in node.targets if isinstance(t, ast.Name)}
                if "code" in names:
                    codes.add(node.value.value)
                elif any(name.endswith("_CODES") for name in names):
                    codes |= {v.value for v in node.value.values if isinstance(v, ast.Constant)}
    assert not unnamed, f"errors raised without a literal code (or a caught error's e.code): {unnamed}"
    return codes


def pwa_texts() -> dict[str, set[str]]:
    """The codes of each language's table in pwa/src/errors.js (`const ZH = {` … `};`)."""
    source = (ROOT / "pwa/src/errors.js").read_text()
    tables = {}
    for language in ("ZH", "EN"):
        body = re.search(rf"^const {language} = \{{\n(.*?)^\}};", source, re.M | re.S)
        assert body, f"no {language} table in pwa/src/errors.js"
        tables[language] = set(re.findall(r"^  (\w+):", body.group(1), re.M))
    return tables


# Codes only the PWA says: a failure in the browser, never a server answer.
CLIENT_CODES = {"offline", "unknown", "photo_missing_here", "passkey_none_here", "passkey_cancelled", "passkey_exists",
                "passkey_insecure", "passkey_timeout", "passkey_unsupported"}
# Codes whose English sentence the server does not write for people (Litestar's and msgspec's
# words): the PWA's EN table says them; for every other code English is the server's sentence.
RAW_ENGLISH = set(_HTTP_CODES.values()) | {"server_error", "value_too_large", "value_too_small", "field_unknown",
                                           "field_missing", "wrong_type", "enum_value", "date_format", "uuid_format"}


def test_every_server_code_has_chinese_text_and_english_where_the_server_has_none() -> None:
    codes = server_codes()
    assert all(re.fullmatch(r"[a-z][a-z0-9_]*", c) for c in codes), sorted(codes)
    tables = pwa_texts()
    assert not codes - tables["ZH"], f"pwa/src/errors.js ZH lacks text for {sorted(codes - tables['ZH'])}"
    assert not (RAW_ENGLISH | CLIENT_CODES) - tables["EN"], sorted((RAW_ENGLISH | CLIENT_CODES) - tables["EN"])
    for language, table in tables.items():
        unused = table - codes - CLIENT_CODES
        assert not unused, f"pwa/src/errors.js {language} has text for codes nobody answers: {sorted(unused)}"


async def test_a_bad_body_names_the_field_the_code_and_its_params(client: AsyncClient) -> None:
    response = await client.post("/api/enterprises", json=enterprise_body(1, name="长" * 201))
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "value_too_large"
    assert body["extra"][0] | {"message": ""} == {
        "key": "name", "message": "", "source": "body", "code": "value_too_large",
        "params": {"bound": "200", "strict": False, "kind": "text"}}
    unknown = (await client.post("/api/enterprises", json=enterprise_body(2, colour="red"))).json()
    assert (unknown["extra"][0]["key"], unknown["code"], unknown["params"]) == ("colour", "field_unknown", {"name": "colour"})
    query = (await client.get("/api/exports/findings.csv")).json()
    assert (query["extra"][0]["key"], query["code"], query["params"]) == (
        "enterprise_id", "field_missing", {"name": "enterprise_id"})
    broken = await client.post("/api/enterprises", content=b'{"name": "x",', headers={"Content-Type": "application/json"})
    assert broken.status_code == 400 and broken.json()["code"] == "body_malformed", broken.text


@pytest.mark.usefixtures("shandong")
async def test_a_domain_error_names_the_field_the_code_and_its_params(client: AsyncClient) -> None:
    uscc = make_uscc(1)
    wrong = uscc[:-1] + ("0" if uscc[-1] != "0" else "1")
    body = (await client.post("/api/enterprises", json=enterprise_body(1, uscc=wrong))).json()
    assert body["code"] == "uscc_check_character"
    assert body["extra"] == [{"key": "uscc", "message": body["detail"], "code": "uscc_check_character",
                              "params": {"given": wrong[-1], "expected": uscc[-1]}}]
    county = (await client.post("/api/enterprises", json=enterprise_body(2, county_code="371600"))).json()
    assert (county["extra"][0]["key"], county["code"], county["params"]) == (
        "county_code", "region_not_county", {"code": "371600", "name": "滨州市", "level": "city"})


async def test_the_frameworks_refusals_carry_codes(client: AsyncClient, anon: AsyncClient) -> None:
    missing = await client.get("/api/no-such-thing")
    assert (missing.status_code, missing.json()["code"]) == (404, "not_found")
    wrong_method = await client.delete("/api/health")
    assert (wrong_method.status_code, wrong_method.json()["code"]) == (405, "method_not_allowed")
    assert "GET" in wrong_method.headers.get("allow", "")
    signed_out = await anon.get("/api/enterprises")
    assert (signed_out.status_code, signed_out.json()["code"]) == (401, "sign_in_required")
    no_csrf = await client.post("/api/enterprises", json={}, headers={"x-csrf-token": "forged"})
    assert (no_csrf.status_code, no_csrf.json()["code"]) == (403, "csrf_failed")
    gone = (await anon.get("/api/auth/invitations/not-a-token")).json()
    assert (gone["status_code"], gone["code"]) == (404, "invitation_invalid")
