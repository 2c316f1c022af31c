"""Permanent public ids for speeches.

An id is derived from the source file's sha256 and the speech's position among the
distinct speeches of that file, so the same bytes always give the same ids, also
after the database is rebuilt from the stored raw files. The loader carries ids
over when a re-ingest with a changed pipeline moves a speech (see loading.py).
"""

from __future__ import annotations

import base64
import hashlib
import re

ID_LENGTH = 10
_NOT_CONTENT = re.compile(r"[^\u4e00-\u9fff\d]+")


def derive_public_id(document_sha256: str, ordinal: int) -> str:
    digest = hashlib.sha256(f"{document_sha256}:{ordinal}".encode()).digest()
    # Lower-case base32 without padding: URL-safe, no ambiguous case, 50 bits.
    return base64.b32encode(digest).decode("ascii").lower()[:ID_LENGTH]


def content_fingerprint(text: str) -> str:
    """Exact-content key: Han characters and digits only, so punctuation and spacing do not matter."""
    core = _NOT_CONTENT.sub("", text)
    return hashlib.sha256(core.encode("utf-8")).hexdigest()
