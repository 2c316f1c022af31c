"""The Whoosh engine's hold on its dependencies: private internals in one module,
written against known versions, and haystack's own commands kept off the live index."""

from __future__ import annotations

import ast
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from speeches.search import search_speeches
from speeches.search.whoosh import internals

SEARCH = Path(__file__).resolve().parents[1] / "search"

# The Whoosh engine's own machinery, whichever engine the database would default to.
pytestmark = pytest.mark.usefixtures("whoosh_engine")


def test_the_installed_whoosh_and_haystack_are_the_versions_the_internals_were_written_against():
    whoosh, haystack = internals.installed_versions()
    assert whoosh == internals.WHOOSH_VERSION, (
        f"Whoosh {whoosh} is installed; speeches/search/whoosh/internals.py reads and writes Whoosh "
        f"{internals.WHOOSH_VERSION}'s private format. Read that module against the new version, "
        "then update WHOOSH_VERSION."
    )
    assert haystack == internals.HAYSTACK_VERSION, (
        f"django-haystack {haystack} is installed; speeches/search/whoosh/internals.py uses "
        f"haystack {internals.HAYSTACK_VERSION}'s private value conversion. Check it, then update HAYSTACK_VERSION."
    )


def _private_uses(path: Path) -> list[str]:
    """Names starting with one underscore taken from objects of another module: attribute
    reads like `writer._flush_segment` on non-self names, and imports like `_INT_SIZE`."""
    tree = ast.parse(path.read_text())
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] in ("whoosh", "haystack"):
            found += [alias.name for alias in node.names if alias.name.startswith("_")]
        if isinstance(node, ast.Attribute) and node.attr.startswith("_") and not node.attr.startswith("__"):
            owner = node.value
            if not (isinstance(owner, ast.Name) and owner.id in ("self", "cls")):
                found.append(node.attr)
    return found


def test_no_search_module_but_internals_touches_private_names_of_whoosh_or_haystack():
    offenders = {}
    for path in sorted(SEARCH.rglob("*.py")):
        if path.name == "internals.py":
            continue
        uses = _private_uses(path)
        if uses:
            offenders[str(path.relative_to(SEARCH))] = sorted(set(uses))
    assert offenders == {}, "private internals belong in speeches/search/whoosh/internals.py"


def test_the_internals_module_does_use_private_names_so_the_check_above_can_see_them():
    assert {"_lenfield", "_from_python", "_next_block"} <= set(_private_uses(SEARCH / "whoosh" / "internals.py"))


@pytest.mark.django_db
@pytest.mark.parametrize("command", ["clear_index", "rebuild_index"])
def test_haystacks_clear_and_rebuild_commands_refuse_to_empty_the_live_index(cast, command):
    before = search_speeches("疫情防控").count
    with pytest.raises(CommandError, match="manage.py reindex"):
        call_command(command, interactive=False, verbosity=0)
    assert search_speeches("疫情防控").count == before == 4  # the cast's four speeches of 疫情防控


@pytest.mark.django_db
@pytest.mark.parametrize("command", ["clear_index", "rebuild_index"])
@pytest.mark.parametrize("options", [{"interactive": False}, {}])
def test_haystacks_clear_and_rebuild_commands_refuse_before_saying_they_remove_anything(cast, command, options):
    out = StringIO()
    with pytest.raises(CommandError, match="manage.py reindex"):
        call_command(command, stdout=out, **options)
    assert out.getvalue() == ""  # not haystack's "Removing all documents …", nor its prompt


@pytest.mark.django_db
def test_reindex_replaces_an_index_written_by_code_that_is_gone(cast, tmp_path):
    import sys
    import types

    # An index whose table of contents pickles its segments' codec by a module path
    # that later disappears, as speeches.search_backend's ArchiveCodec did when the
    # engine moved to speeches/search/whoosh/.
    from whoosh.codec.whoosh3 import W3Codec
    from whoosh.fields import ID, Schema
    from whoosh.filedb.filestore import FileStorage

    from speeches.indexing import rebuild_index
    from speeches.tests.conftest import use_index

    gone = types.ModuleType("speeches_gone_module")

    class GoneCodec(W3Codec):
        pass

    GoneCodec.__module__, GoneCodec.__qualname__ = gone.__name__, "GoneCodec"
    gone.GoneCodec = GoneCodec
    sys.modules[gone.__name__] = gone
    folder = tmp_path / "old_index"
    folder.mkdir()
    old = FileStorage(str(folder)).create_index(Schema(django_id=ID(stored=True)))
    with old.writer(codec=GoneCodec()) as writer:
        writer.add_document(django_id="1")
    del sys.modules[gone.__name__]
    from django.conf import settings

    previous = settings.HAYSTACK_CONNECTIONS["default"]["PATH"]
    use_index(folder)
    try:
        with pytest.raises(ImportError):  # as it was: the old index cannot be opened
            FileStorage(str(folder)).open_index()
        # Searches meanwhile say the index is being updated, not a server error.
        assert "检索索引正在更新" in search_speeches("疫情防控").message
        assert rebuild_index() > 0
        assert search_speeches("疫情防控").count == 4
    finally:
        use_index(previous)


def test_no_module_outside_the_whoosh_engine_imports_whoosh_or_haystack():
    app = Path(__file__).resolve().parents[1]
    importers = []
    for path in sorted(app.rglob("*.py")):
        relative = path.relative_to(app)
        if relative.parts[0] in ("tests", "migrations") or relative.parts[:2] == ("search", "whoosh"):
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            names = [alias.name for alias in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names = [node.module]
            if any(name.split(".")[0] in ("whoosh", "haystack") for name in names):
                importers.append(str(relative))
    assert importers == []


@pytest.mark.django_db
def test_the_engine_names_segments_written_before_ties_were_ordered_by_speech(cast):
    from haystack import connections

    from speeches.search.engine import engine

    assert "reindex" not in engine().describe()
    backend = connections["default"].get_backend()
    # A segment as code before the speech_pk column wrote it (no such column in it).
    with backend.writer() as writer:
        writer.add_document(django_id="999999", public_id="old", canonical="false")
    try:
        described = engine().describe()
        assert "1 of " in described and "speech_pk" in described and "manage.py reindex" in described
    finally:
        with backend.writer() as writer:
            writer.delete_by_term("django_id", "999999")
    assert "reindex" not in engine().describe()
