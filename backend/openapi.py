"""What the OpenAPI document says beyond what Litestar derives from the handlers: every
answer besides the success one, written once here for every route.

The rule (``document_answers``): an operation that takes parameters or a body, and every
write, may answer 400; every route that is not public may answer 401 (not signed in), 403
(this role may not) and 404 (a record named in the path, query or body is not in your
scope); every write may also answer 403 (the CSRF header is missing) and 409 (it
collides with a record saved meanwhile); an operation with a path parameter may answer
404. ``PARTICULAR`` adds what only a few operations answer. Every error has the body
that ``backend.app`` renders: ``ErrorBody``. The API fuzzer (tests/api/test_fuzz.py)
fails on any status code or body this document does not declare.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import msgspec
from litestar import Litestar
from litestar.constants import RESERVED_KWARGS
from litestar.handlers import HTTPRouteHandler
from litestar.openapi.datastructures import ResponseSpec
from litestar.openapi.spec import OpenAPIMediaType, OpenAPIType, Operation, RequestBody, Schema
from litestar.response import Response
from litestar.status_codes import HTTP_204_NO_CONTENT


class ErrorItem(msgspec.Struct):
    key: str  # the field at fault: a body field (dotted for nested ones), a parameter or a header
    message: str
    code: str  # stable, snake_case: what the PWA says in the user's language (pwa/src/errors.js)
    params: dict[str, Any]  # the values the message uses
    source: str | None = None  # where Litestar found it: body, query, path, header, cookie


class ErrorBody(msgspec.Struct):
    status_code: int
    detail: str  # a sentence a person can act on (English)
    code: str  # the first error's code (stable, snake_case)
    params: dict[str, Any]
    extra: list[ErrorItem] | None = None


def _error(description: str) -> ResponseSpec:
    return ResponseSpec(ErrorBody, description=description, generate_examples=False)


def _file(description: str, media_type: str = "*/*") -> ResponseSpec:
    return ResponseSpec(bytes, description=description, media_type=media_type, generate_examples=False)


COMMON = {
    400: _error("The request breaks a rule; `extra` names each field at fault and why"),
    401: _error("Not signed in, or the session has ended"),
    403: _error("Signed in, but this role or jurisdiction may not do this (or the CSRF header is missing)"),
    404: _error("No such record within your scope"),
    409: _error("The request collides with the record's state or with a record saved meanwhile"),
}
CSRF = _error("The x-csrf-token header does not echo the dossier_csrf cookie")
PUBLIC_ROUTE_404 = _error("No such record")

_INVITATION_GONE = _error("The invitation was used, withdrawn or has expired")
_CEREMONY_FAILED = _error("The passkey ceremony is unknown, expired or failed, or the account is deactivated")
_TOO_MANY = _error("Too many attempts from this address or passkey; the Retry-After header says when to try again")
_NOT_CURRENT = _error("The notice was replaced or removed; print the control point's current one")
_NO_FONT = _error("The server lacks the Chinese font notices are drawn in")

# What only some operations answer, by operation id.
PARTICULAR: dict[str, dict[int, ResponseSpec]] = {
    "getInvitation": {410: _INVITATION_GONE},
    "revokeInvitation": {410: _INVITATION_GONE},
    "beginEnrolment": {404: PUBLIC_ROUTE_404, 410: _INVITATION_GONE},
    "finishEnrolment": {401: _CEREMONY_FAILED, 410: _INVITATION_GONE, 429: _TOO_MANY},
    "finishSignIn": {401: _CEREMONY_FAILED, 429: _TOO_MANY},
    "uploadMedia": {413: _error("The file is over the size limit"),
                    415: _error("Not a photo or document of a type the product takes")},
    "getMediaFile": {200: _file("The file: an original in its own type (a photo or a PDF); a preview or thumbnail "
                                "as image/jpeg"),
                     206: _file("The byte range of the file asked for in the Range header"),
                     304: ResponseSpec(None, description="Not modified (If-None-Match)"),
                     307: ResponseSpec(None, description="Media kept in an object store: the Location is a presigned "
                                                        "link to the file that expires within minutes (Range works "
                                                        "there too)"),
                     416: _error("The Range header asks for more than one range or lies outside the file")},
    "getExportJobFile": {200: _file("The export job's file: CSV (UTF-8 with a byte order mark) or an Excel workbook, "
                                    "as asked")},
    "printNoticePng": {200: _file("The notice as a PNG at 300 DPI", "image/png"), 409: _NOT_CURRENT, 503: _NO_FONT},
    "printNoticePdf": {200: _file("The notice as a one-page PDF", "application/pdf"), 409: _NOT_CURRENT, 503: _NO_FONT},
}
# Writes that are safe to send again: 201 when recorded, 200 with the same record after.
REPLAYED = {"planVisit", "submitVisit", "uploadMedia", "postNotice", "createEnterprise"}
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


def document_answers(app: Litestar) -> None:
    """Declare, on each documented route handler of ``app``, the answers the rule above
    gives it (a handler's own ``responses`` win)."""
    for route in app.routes:
        for handler in getattr(route, "route_handlers", ()):
            if isinstance(handler, HTTPRouteHandler) and handler.resolve_include_in_schema():
                handler.responses = {**_answers(handler, "{" in route.path), **(handler.responses or {})}


def _answers(handler: HTTPRouteHandler, path_parameters: bool) -> dict[int, ResponseSpec]:
    public = bool(handler.opt.get("public"))
    write = not set(handler.http_methods) <= SAFE_METHODS
    answers = {}
    if write or _takes_input(handler):
        answers[400] = COMMON[400]
    if not public:
        answers |= {code: COMMON[code] for code in (401, 403, 404)}
    else:
        if write:
            answers[403] = CSRF
        if path_parameters:
            answers[404] = PUBLIC_ROUTE_404
    if write:
        answers[409] = COMMON[409]
    if handler.status_code == HTTP_204_NO_CONTENT:  # Litestar gives a Response[None] a JSON body
        answers[HTTP_204_NO_CONTENT] = ResponseSpec(None, description="Done; nothing follows")
    operation = str(handler.operation_id)
    if operation in REPLAYED:
        answers[200] = ResponseSpec(_body_type(handler), description="Already recorded: the same record, unchanged")
    return {**answers, **PARTICULAR.get(operation, {})}


def _takes_input(handler: HTTPRouteHandler) -> bool:
    """Whether the handler reads parameters or a body (dependencies aside)."""
    names = set(handler.parsed_fn_signature.parameters) - set(handler.resolve_dependencies())
    return bool(names - (RESERVED_KWARGS - {"data", "query", "headers", "cookies"}))


def _body_type(handler: HTTPRouteHandler) -> Any:
    returned = handler.parsed_fn_signature.return_type
    return returned.inner_types[0].annotation if returned.is_subclass_of(Response) else returned.annotation


def multipart(fields: type[msgspec.Struct], file: str) -> type[Operation]:
    """The ``operation_class`` of a handler that reads a multipart body from the stream
    itself (so Litestar cannot see it): the form ``fields`` plus one binary ``file``."""
    generated = msgspec.json.schema(fields)
    definitions = generated["$defs"]
    form = _schema(definitions[fields.__name__], definitions)
    form.properties = {**(form.properties or {}), file: Schema(type=OpenAPIType.STRING, format="binary")}  # type: ignore[arg-type]
    form.required = [*(form.required or []), file]
    body = RequestBody(required=True, content={"multipart/form-data": OpenAPIMediaType(schema=form)})

    @dataclass
    class MultipartOperation(Operation):
        def __post_init__(self) -> None:
            self.request_body = body

    return MultipartOperation


def _schema(node: dict[str, Any], definitions: dict[str, Any]) -> Schema:
    """msgspec's JSON Schema of a struct as Litestar's OpenAPI ``Schema``."""
    if "$ref" in node:
        return _schema(definitions[node["$ref"].rsplit("/", 1)[1]], definitions)
    values: dict[str, Any] = {}
    for key, value in node.items():
        name = re.sub(r"(?<!^)(?=[A-Z])", "_", key).lower()
        if key == "type":
            value = OpenAPIType(value)
        elif key == "properties":
            value = {k: _schema(v, definitions) for k, v in value.items()}
        elif key == "anyOf":
            value = [_schema(v, definitions) for v in value]
        values[name] = value
    return Schema(**values)
