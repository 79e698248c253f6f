"""The lists that export, each declared once (a Listing) for both ways of exporting it:
the file answered at once (``/api/exports/{name}.csv``) and the file an export job writes
off the request (backend/exports/jobs.py). A job's query parameters are JSON, not a URL's
query: ``arguments`` reads them by the same declarations (the Annotated QueryParameter
types of the listing's row source and of its filters' providers), with the same rules and
the same error codes as Litestar's reading of a URL."""

from __future__ import annotations

import inspect
import typing
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from typing import Any, Callable, Mapping, Sequence

import msgspec
from litestar import Request
from litestar.params import KwargDefinition
from litestar.response import Stream

from backend.access import Role, Scope
from backend.errors import Invalid
from backend.exports import tabular
from backend.exports.tabular import Batches, Column
from backend.fields import error_field, humanise, reason_of
from backend.pagination import CursorCodec

CONTEXT = ("access", "today", "cursors")  # what the caller gives a row source, never the query
RULES = ("gt", "ge", "lt", "le", "min_length", "max_length", "pattern")  # a QueryParameter's that msgspec checks


@dataclass(frozen=True, eq=False)
class Listing:
    """A list as a file: its name (the export's path), title (the file's), columns, the
    roles its list admits, and its row source ``rows(access, today, cursors, **parameters)``,
    whose parameters are the list's query parameters (annotated as for Litestar) and the
    values its ``providers`` make of theirs (the list's filters, as its route's dependencies)."""

    name: str
    title: str
    columns: Sequence[Column]
    allowed: frozenset[Role]
    rows: Callable[..., Batches]
    providers: Mapping[str, Callable[..., Any]] = field(default_factory=dict)

    async def download(self, request: Request, access: Scope, today: date, cursors: CursorCodec,
                       **parameters: Any) -> Stream:
        """The list as the file the request's path asks for, at once."""
        return await tabular.download(request, self.columns, self.rows(access, today, cursors, **parameters),
                                      self.title, today)


def arguments(listing: Listing, query: Mapping[str, Any], access: Scope) -> dict[str, Any]:
    """The row source's parameters from a job's ``query`` (the list's query parameters as
    JSON: text, numbers or booleans); Invalid naming ``query.<parameter>`` for a value
    the list would refuse, or a parameter it does not take."""
    try:
        given = msgspec.structs.asdict(msgspec.convert(dict(query), _query_of(listing), strict=False))
    except msgspec.ValidationError as exc:
        message = str(exc)
        code, params = reason_of(message)
        raise Invalid(humanise(message), f"query.{error_field(message) or ''}".rstrip("."), code=code,
                      params=params) from None
    context = {"access": access}
    values = {}
    for name in _parameters(listing.rows):
        if name not in listing.providers:
            values[name] = given[name]
            continue
        provider = listing.providers[name]
        try:
            values[name] = provider(**{p: context[p] if p in context else given[p]
                                       for p in inspect.signature(provider).parameters})
        except Invalid as exc:  # a rule across parameters (a period's ends)
            exc.field = f"query.{exc.field}" if exc.field else "query"
            raise
    return values


def _parameters(function: Callable[..., Any]) -> list[str]:
    return [name for name in inspect.signature(function).parameters if name not in CONTEXT]


@cache
def _query_of(listing: Listing) -> type[msgspec.Struct]:
    """A struct of the listing's query parameters, under the names the URL gives them."""
    fields, rename = [], {}
    for function in (listing.rows, *listing.providers.values()):
        hints = typing.get_type_hints(function, include_extras=True)
        for name, parameter in inspect.signature(function).parameters.items():
            definition = _definition(hints.get(name))
            if definition is None or name in CONTEXT:
                continue
            kind = typing.get_args(hints[name])[0]
            rules = {rule: getattr(definition, rule) for rule in RULES if getattr(definition, rule) is not None}
            annotated = _ruled(kind, msgspec.Meta(**rules)) if rules else kind
            default = msgspec.NODEFAULT if parameter.default is inspect.Parameter.empty else parameter.default
            fields.append((name, annotated, default))
            rename[name] = definition.query or definition.name or name
    return msgspec.defstruct(f"{listing.name}_query", fields, rename=rename, forbid_unknown_fields=True, kw_only=True)


def _ruled(kind: Any, rules: msgspec.Meta) -> Any:
    """``kind`` with its rules (on the type that is not None, of an optional one)."""
    if type(None) in typing.get_args(kind):
        (inner,) = [arg for arg in typing.get_args(kind) if arg is not type(None)]
        return typing.Optional[typing.Annotated[inner, rules]]
    return typing.Annotated[kind, rules]


def _definition(hint: Any) -> KwargDefinition | None:
    """The QueryParameter of an ``Annotated[type, QueryParameter(...)]`` hint."""
    if typing.get_origin(hint) is not typing.Annotated:
        return None
    return next((m for m in typing.get_args(hint)[1:] if isinstance(m, KwargDefinition)), None)
