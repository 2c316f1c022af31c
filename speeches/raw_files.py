"""Where the raw bytes of every source file are kept on disk beside the database, by
content (MEDIA_ROOT/raw/ab/abcd…), so the archive can be rebuilt after the database is
lost (`manage.py rebuild_from_raw`). Used by loading.py and id_history.py, which keeps
each file's speech ids in the same folder."""

from __future__ import annotations

import os
from pathlib import Path

from django.conf import settings


def raw_path(sha256: str) -> Path:
    return Path(settings.MEDIA_ROOT) / "raw" / sha256[:2] / sha256


def keep_raw_file(raw: bytes, sha256: str) -> Path:
    """A second copy of the raw bytes outside the database."""
    path = raw_path(sha256)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_bytes(raw)
        os.replace(tmp, path)  # atomic: a reader never sees half a file
    return path
