"""The pipeline is pure Python: nothing in speeches/ingest may import Django."""

import ast
from pathlib import Path

INGEST = Path(__file__).resolve().parents[2] / "ingest"


def test_no_module_of_the_pipeline_imports_django():
    offenders = []
    for path in INGEST.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            offenders += [f"{path.name}: {n}" for n in names if n.split(".")[0] in {"django", "haystack"}]
    assert offenders == []
    assert len(list(INGEST.glob("*.py"))) >= 8
