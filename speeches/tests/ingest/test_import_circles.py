"""No two modules of speeches/ingest import each other, however indirectly.

A circle works only while every import of it is put off into a function or behind
TYPE_CHECKING, and a reader cannot tell which module comes first. So every import
counts here, wherever it stands in the module. Importing a module of a subpackage
(mojibake.language_model) also runs that subpackage's __init__.py, so that counts as an
import of the subpackage too, except from inside it (its __init__ is already running).
"""

import ast
from pathlib import Path

INGEST = Path(__file__).resolve().parents[2] / "ingest"
PACKAGE = "speeches.ingest"


def module_name(path: Path, root: Path) -> str:
    """ "decode", "mojibake.runs"; a package by its own name ("mojibake"), the root as ""."""
    parts = path.relative_to(root).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def named(node: ast.Import | ast.ImportFrom, importer: str, is_package: bool, package: str) -> list[str]:
    """What an import statement may name inside the package, as module_name spells it:
    `from .x import y` names x, and x.y in case y is a module."""
    if isinstance(node, ast.Import) or node.level == 0:
        module = "" if isinstance(node, ast.Import) else node.module or ""
        names = [module] + [f"{module}.{alias.name}".lstrip(".") for alias in node.names]
        inside = [name for name in names if name == package or name.startswith(package + ".")]
        return [name[len(package) :].lstrip(".") for name in inside]
    here = importer.split(".") if importer else []
    base = here if is_package else here[:-1]
    base = base[: len(base) - (node.level - 1)]
    target = ".".join(base + ([node.module] if node.module else []))
    return [target] + [f"{target}.{alias.name}".lstrip(".") for alias in node.names]


def import_graph(root: Path, package: str = PACKAGE) -> dict[str, set[str]]:
    modules = {module_name(path, root): path for path in root.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        edges = graph[name] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import | ast.ImportFrom):
                for target in named(node, name, path.name == "__init__.py", package):
                    if target in modules:
                        # The module, and the subpackages on the way to it.
                        parts = target.split(".")
                        edges.update(".".join(parts[:depth]) for depth in range(1, len(parts) + 1))
        # A package the importer is inside (the root among them) is already running.
        edges -= {name, ""} | {outer for outer in edges if name.startswith(outer + ".")}
    return graph


def reachable(graph: dict[str, set[str]], start: str) -> set[str]:
    seen: set[str] = set()
    todo = list(graph[start])
    while todo:
        name = todo.pop()
        if name not in seen:
            seen.add(name)
            todo.extend(graph.get(name, ()))
    return seen


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Each group of modules that import one another, however indirectly."""
    reach = {name: reachable(graph, name) for name in graph}
    groups = {
        tuple(sorted({name} | {other for other in reach[name] if name in reach[other]}))
        for name in graph
        if name in reach[name]
    }
    return sorted(list(group) for group in groups)


def test_no_modules_of_the_pipeline_import_each_other():
    graph = import_graph(INGEST)
    assert circles(graph) == []
    # The graph is the package's: the restoration step imports the mojibake package.
    assert {"mojibake", "annotations", "markup"} <= graph["restore"]
    assert "mojibake.news_corpus" in graph["mojibake.language_model"]


def test_an_import_put_off_into_a_function_still_makes_a_circle(tmp_path):
    (tmp_path / "__init__.py").write_text("")
    (tmp_path / "first.py").write_text("from .second import f\n")
    (tmp_path / "second.py").write_text("def f():\n    from .first import g\n")
    (tmp_path / "third.py").write_text("from . import first\n")
    assert circles(import_graph(tmp_path)) == [["first", "second"]]


def test_a_module_of_a_subpackage_imported_from_outside_runs_its_init(tmp_path):
    (tmp_path / "__init__.py").write_text("")
    (tmp_path / "outer.py").write_text("def f():\n    from .inner.leaf import g\n")
    (tmp_path / "inner").mkdir()
    (tmp_path / "inner" / "__init__.py").write_text("from .leaf import g\nfrom ..outer import f\n")
    (tmp_path / "inner" / "leaf.py").write_text("from . import sibling\n")
    (tmp_path / "inner" / "sibling.py").write_text("")
    graph = import_graph(tmp_path, "made.up")
    assert graph["outer"] == {"inner", "inner.leaf"}
    assert graph["inner.leaf"] == {"inner.sibling"}
    assert circles(graph) == [["inner", "outer"]]


def test_an_import_by_the_packages_full_name_counts_too(tmp_path):
    (tmp_path / "__init__.py").write_text("")
    (tmp_path / "first.py").write_text("import made.up.second\nimport re\n")
    (tmp_path / "second.py").write_text("from made.up import first\nfrom made.upper import x\n")
    assert circles(import_graph(tmp_path, "made.up")) == [["first", "second"]]
