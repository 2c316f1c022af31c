"""Which new speech inherits which old public id when a document is re-ingested.

A bookmark must survive a pipeline change that rejoins a sentence, repairs a
character or moves a split point. New speeches inherit ids first by identical
content, then by the most similar old speech (character-shingle Jaccard), then
by position; anything left gets a fresh id derived from (document hash, ordinal).
"""

from __future__ import annotations

from dataclasses import dataclass

SHINGLE = 4
# Below this Jaccard similarity two speeches are not the same speech edited.
SAME_SPEECH = 0.5
# An old speech mostly contained in a new one was merged into it.
MERGED_INTO = 0.6


@dataclass(frozen=True)
class OldSpeech:
    public_id: str
    fingerprint: str
    text: str


@dataclass(frozen=True)
class NewSpeech:
    ordinal: int
    fingerprint: str
    text: str


def shingles(text: str) -> frozenset[str]:
    core = "".join(text.split())  # without whitespace
    return frozenset(core[i : i + SHINGLE] for i in range(max(len(core) - SHINGLE + 1, 1)))


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


def containment(part: frozenset[str], whole: frozenset[str]) -> float:
    return len(part & whole) / len(part) if part else 0.0


def assign_ids(
    old: list[OldSpeech], new: list[NewSpeech], derive, reserved: frozenset[str] = frozenset()
) -> tuple[dict[int, str], dict[str, int | None]]:
    """`reserved`: ids of earlier aliases, never handed out again.

    Returns ({new ordinal: public id}, {orphaned old id: ordinal it was merged into, or None})."""
    ids: dict[int, str] = {}
    free = {o.public_id: o for o in old}
    by_print = {}
    for o in old:
        by_print.setdefault(o.fingerprint, o.public_id)
    for speech in new:
        pid = by_print.get(speech.fingerprint)
        if pid in free:
            ids[speech.ordinal] = pid
            del free[pid]
    # Shingles only where an old speech is left to match (none on a first ingest).
    all_new = {s.ordinal: shingles(s.text) for s in new} if free else {}
    new_sh = {ordinal: sh for ordinal, sh in all_new.items() if ordinal not in ids}
    old_sh = {pid: shingles(o.text) for pid, o in free.items()}
    pairs = sorted(
        ((jaccard(ns, os_), ordinal, pid) for ordinal, ns in new_sh.items() for pid, os_ in old_sh.items()),
        reverse=True,
    )
    for score, ordinal, pid in pairs:
        if score < SAME_SPEECH:
            break
        if ordinal not in ids and pid in free:
            ids[ordinal] = pid
            del free[pid]
    taken = set(ids.values())
    # An old id is never handed to unrelated content: a bookmark would silently
    # open a different speech.
    old_ids = {o.public_id for o in old} | reserved
    for speech in new:
        if speech.ordinal not in ids:
            candidate = derive(speech.ordinal)
            n = 0
            while candidate in taken or candidate in old_ids:
                n += 1
                candidate = derive(speech.ordinal * 1000 + n)
            ids[speech.ordinal] = candidate
            taken.add(candidate)
    orphans: dict[str, int | None] = {}
    for pid in free:
        orphans[pid] = _successor(old_sh[pid], all_new)
    return ids, orphans


def _successor(old: frozenset[str], new: dict[int, frozenset[str]]) -> int | None:
    """Where an old speech went: the new speech it was merged into, else the first of
    the new speeches it was split into (003 篇六 became five speeches), else nowhere."""
    merged = max(new.items(), key=lambda kv: containment(old, kv[1]), default=None)
    if merged and containment(old, merged[1]) >= MERGED_INTO:
        return merged[0]
    pieces = sorted(ordinal for ordinal, sh in new.items() if containment(sh, old) >= MERGED_INTO)
    return pieces[0] if pieces else None
