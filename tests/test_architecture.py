"""The shape of the package: no import cycles, one home per shared concern.

A newcomer walks register → validate → classify → count → indicators → bulletin; these tests keep that
walk free of cycles (an import, at module level or inside a function, that leads back to where it came
from) and of second copies of the shared helpers (errors, SQL quoting, engines).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "ipstats"


def _modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


def _imports(name: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """Modules of the package that *path* imports anywhere (module level or in a function).

    ``from pkg import sub`` depends on the submodule ``sub`` only, as Python loads it; ``from pkg import
    name`` depends on the package ``pkg`` (its ``__init__``).
    """
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = ".".join(base[: len(base) - node.level + 1])
                module = f"{base}.{node.module}" if node.module else base
            else:
                module = node.module or ""
            subs = [f"{module}.{alias.name}" for alias in node.names if f"{module}.{alias.name}" in modules]
            targets = subs if len(subs) == len(node.names) else [module, *subs]
        else:
            continue
        for target in targets:
            while target not in modules and "." in target:
                target = target.rpartition(".")[0]
            if target in modules and target != name and target.startswith("ipstats"):
                out.add(target)
    return out


def import_graph() -> dict[str, set[str]]:
    modules = _modules()
    return {name: _imports(name, path, modules) for name, path in modules.items()}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_the_cycle_finder_finds_a_cycle():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert cycles(graph) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_no_import_cycles_in_the_package():
    graph = import_graph()
    assert "ipstats.engines.duck" in graph and "ipstats.concordance.engine" in graph
    found = cycles(graph)
    detail = "; ".join(
        " ↔ ".join(c) + " (" + ", ".join(f"{a}→{b}" for a in c for b in sorted(graph[a]) if b in c) + ")" for c in found
    )
    assert not found, f"import cycles: {detail}"


def test_engines_depend_on_no_stage():
    """The engines are the bottom layer: no stage (concordance, counting, indicators…) is imported there."""
    graph = import_graph()
    allowed = {"ipstats.engines", "ipstats.errors"}
    for name, deps in graph.items():
        if name.startswith("ipstats.engines"):
            outside = {d for d in deps if not any(d == a or d.startswith(a + ".") for a in allowed)}
            assert not outside, f"{name} imports {sorted(outside)}"


def test_every_user_error_derives_from_ipstats_error():
    """Exception classes of the package derive from IpstatsError (the CLI prints them as one line).

    Signals (``RunInterrupted``, a BaseException like KeyboardInterrupt) are not errors and are left out.
    """
    import importlib

    from ipstats.errors import IpstatsError

    for name in sorted(import_graph()):
        if name.endswith("__main__"):
            continue  # running it is the command line
        module = importlib.import_module(name)
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, Exception) and value.__module__ == name:
                assert issubclass(value, IpstatsError), f"{name}.{value.__name__} does not derive from IpstatsError"


def test_no_builtin_is_shadowed_by_an_error_class():
    import builtins

    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef):
                assert not hasattr(builtins, node.name), f"{path}: class {node.name} shadows a builtin"


def test_sql_literals_are_quoted_in_one_place():
    """Doubling single quotes for SQL happens only in ipstats.engines.sql (Excel sheet names aside)."""
    pattern = re.compile(r"""replace\(\s*(?:"'"|chr\(39\))\s*,\s*(?:"''"|chr\(39\)\s*\*\s*2)\s*\)""")
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        rel = path.relative_to(PACKAGE).as_posix()
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if pattern.search(line) and rel != "engines/sql.py" and "sheet" not in line:
                offenders.append(f"{rel}:{number}")
    assert not offenders, f"SQL quoting outside ipstats.engines.sql: {offenders}"


@pytest.mark.parametrize("value, expected", [("O'Brien", "'O''Brien'"), ("''", "''''''"), ("数据", "'数据'")])
def test_sql_text_survives_duckdb(value, expected):
    import duckdb

    from ipstats.engines.sql import sql_list, sql_text

    assert sql_text(value) == expected
    con = duckdb.connect()
    assert con.execute(f"SELECT {sql_text(value)}").fetchall() == [(value,)]
    assert con.execute(
        f"SELECT 'x' NOT IN {sql_list([])}, {sql_text(value)} IN {sql_list([value, 'z'])}"
    ).fetchall() == [(True, True)]
