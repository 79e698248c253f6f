"""Imports run one way: each module of backend/ imports only its own domain and the
domains on lower layers (ARCHITECTURE in the README), and no module imports itself back
through others. Run it alone to see every offending import:

    .venv/bin/pytest -q tests/unit/test_layers.py
"""

from __future__ import annotations

import ast
from pathlib import Path

BACKEND = Path(__file__).resolve().parents[2] / "backend"

# Lowest first (the README's ARCHITECTURE). A domain imports its own modules and the
# domains of lower layers; the ground floor and the wiring may also import each other.
GROUND = {"access", "db", "settings", "errors", "pagination", "clock", "fields", "glossary", "openapi", "piccolo_conf"}
WIRING = {"app", "backup", "cli", "demo", "webapp"}
LAYERS = (
    GROUND,
    {"audit"},
    {"regions"},
    {"enterprises"},
    {"accounts"},
    {"media"},
    {"inspections"},
    {"notices"},
    {"plans", "documents"},
    {"exports"},
    {"coverage", "publication"},
    WIRING,
)
RANK = {domain: rank for rank, layer in enumerate(LAYERS) for domain in layer}


def _module(path: Path) -> str:
    parts = path.relative_to(BACKEND.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _domain(module: str) -> str:
    return module.split(".")[1] if module.count(".") else module


def _imports() -> dict[str, set[str]]:
    """Each backend module's imports of other backend modules, as written (lazy imports
    inside functions count: they run one way too)."""
    found: dict[str, set[str]] = {}
    for path in sorted(BACKEND.rglob("*.py")):
        module, names = _module(path), set()
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("backend"):
                names |= {f"{node.module}.{a.name}" for a in node.names}
            elif isinstance(node, ast.Import):
                names |= {a.name for a in node.names if a.name.startswith("backend.")}
        found[module] = names
    return found


def test_every_domain_has_a_layer() -> None:
    domains = {_domain(m) for m in _imports() if m != "backend"}
    assert domains <= set(RANK), f"not on any layer: {sorted(domains - set(RANK))}"


def test_imports_run_downward_only() -> None:
    upward = sorted(
        f"{module} imports {target}"
        for module, targets in _imports().items() if module != "backend"
        for target in targets
        if _domain(target) != _domain(module) and RANK.get(_domain(target), 0) >= RANK[_domain(module)]
        and not {_domain(target), _domain(module)} <= GROUND and not {_domain(target), _domain(module)} <= WIRING
    )
    assert not upward, "imports that do not run downward:\n" + "\n".join(upward)


def test_no_import_cycle() -> None:
    graph = _imports()
    known = set(graph)

    def resolve(name: str) -> str | None:  # `from backend.x import y`: y may be a module or a name in x
        while name and name not in known:
            name = name.rpartition(".")[0]
        return name or None

    edges = {m: {t for n in names if (t := resolve(n)) and t != m} for m, names in graph.items()}
    cycles, state = [], {}

    def visit(node: str, path: list[str]) -> None:
        state[node] = "open"
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == "open":
                cycles.append(" -> ".join(path[path.index(nxt):] + [nxt]) if nxt in path else f"{node} -> {nxt}")
            elif nxt not in state:
                visit(nxt, path + [nxt])
        state[node] = "done"

    for module in sorted(edges):
        if module not in state:
            visit(module, [module])
    assert not cycles, "import cycles:\n" + "\n".join(cycles)
