"""Where the raw bytes of every source file are kept on disk beside the database, by
content (MEDIA_ROOT/raw/ab/abcd…), so the archive can be rebuilt after the database is
lost (`manage.py rebuild_from_raw`). Used by loading.py and id_history.py, which keeps
each file's speech ids in the same folder."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from django.conf import settings

# The process's umask, read once at import (there is no reading it without setting it,
# and setting it while other threads create files would give them its value).
_UMASK = os.umask(0o022)
os.umask(_UMASK)


def raw_path(sha256: str) -> Path:
    return Path(settings.MEDIA_ROOT) / "raw" / sha256[:2] / sha256


def keep_raw_file(raw: bytes, sha256: str) -> Path:
    """A second copy of the raw bytes outside the database."""
    path = raw_path(sha256)
    if not path.exists():
        write_atomically(path, raw)
    return path


def write_atomically(path: Path, data: bytes) -> None:
    """The file whole or not at all, whoever else writes it at the same moment: written
    under a name of its own in the same folder, synced, then renamed over `path` (a
    reader never sees half a file). Two uploads of the same file at once both wrote
    `<sha>.tmp`, and the second's rename found it gone (FileNotFoundError, a server error)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.chmod(tmp, 0o666 & ~_UMASK)  # as open() would have made it (mkstemp makes 0600)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
