"""Which new speech inherits which old public id when a document is re-ingested.

A bookmark must survive a pipeline change that rejoins a sentence, repairs a
character or moves a split point. New speeches inherit ids first by identical
content, then by the old speech whose opening they start with, then by the most
similar old speech (character-shingle Jaccard); equal matches go by position.
Anything left gets a fresh id derived from (document hash, ordinal).

The old speeches include the retired ones: ids that an earlier re-ingest turned
into aliases (merged or removed) and whose text was kept with them. Content that
comes back (a merge undone, a dropped speech found again) reclaims its id.
"""

from __future__ import annotations

from dataclasses import dataclass

SHINGLE = 4
# Below this Jaccard similarity two speeches are not the same speech edited.
SAME_SPEECH = 0.5
# An old speech mostly contained in a new one was merged into it.
MERGED_INTO = 0.6
# A speech's opening: its first characters (without whitespace), about a first
# paragraph's sentence. A new speech starting with them continues the old one.
OPENING = 50
# Share of the old opening's shingles found at the start of the new speech: a
# rejoined line or a repaired character there still leaves it the same opening.
SAME_OPENING = 0.5


@dataclass(frozen=True)
class OldSpeech:
    public_id: str
    fingerprint: str
    text: str
    ordinal: int = 0
    title: str = ""
    # An alias's id: given back only to content that matches the text it stood for.
    retired: bool = False


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


def opening(text: str, length: int = OPENING) -> frozenset[str]:
    return shingles("".join(text.split())[:length])


def assign_ids(
    old: list[OldSpeech], new: list[NewSpeech], derive, reserved: frozenset[str] = frozenset()
) -> tuple[dict[int, str], dict[str, int | None]]:
    """`reserved`: ids of earlier aliases, never handed to new content as fresh ids.

    Returns ({new ordinal: public id}, {old id left without a speech: ordinal of the new
    speech holding most of its text, or None}); retired ids not reclaimed are among them."""
    ids = _match_fingerprints(old, new)
    free = [o for o in old if o.public_id not in ids.values()]
    # Shingles only where an old speech is left to match (none on a first ingest).
    all_new = {s.ordinal: shingles(s.text) for s in new} if free else {}
    ids.update(_match_similar(free, [s for s in new if s.ordinal not in ids], all_new))
    # An old id is never handed to unrelated content: a bookmark would silently
    # open a different speech.
    _add_fresh_ids(ids, new, derive, {o.public_id for o in old} | reserved)
    given = set(ids.values())
    orphans = {o.public_id: successor(shingles(o.text), all_new) for o in old if o.public_id not in given}
    return ids, orphans


def _match_fingerprints(old: list[OldSpeech], new: list[NewSpeech]) -> dict[int, str]:
    """Identical content keeps its id. Copies within a file (003 repeats speeches 1–20
    as 21–40) are identical too: each keeps the id of the copy at its own position."""
    by_print: dict[str, list[OldSpeech]] = {}
    for o in old:
        if o.fingerprint:
            by_print.setdefault(o.fingerprint, []).append(o)
    pairs = sorted(
        (o.retired, abs(o.ordinal - s.ordinal), s.ordinal, o.public_id)
        for s in new
        for o in by_print.get(s.fingerprint, ())
    )
    return _take_pairs((ordinal, pid) for *_, ordinal, pid in pairs)


def _match_similar(free: list[OldSpeech], new: list[NewSpeech], new_sh: dict[int, frozenset[str]]) -> dict[int, str]:
    """An edited, split or merged speech keeps the id of the old speech whose opening it
    starts with (a split's first piece, a merge's first part); failing that, the most
    similar one's. Among equal matches a live id before a retired one, then by position.
    A retired id comes back only with its speech, not with a speech that starts with it:
    a removed scrap later read as the head of a speech does not take that speech's id."""
    heads = {s.ordinal: opening(s.text, 2 * OPENING) for s in new}
    pairs = []
    for o in free:
        old_sh, old_opening = shingles(o.text), opening(o.text)
        for s in new:
            same_opening = not o.retired and containment(old_opening, heads[s.ordinal]) >= SAME_OPENING
            match = _match(old_sh, new_sh[s.ordinal], same_opening)
            if match is not None:
                pairs.append((*match, o.retired, abs(o.ordinal - s.ordinal), s.ordinal, o.public_id))
    return _take_pairs((ordinal, pid) for *_, ordinal, pid in sorted(pairs))


def _match(old: frozenset[str], new: frozenset[str], same_opening: bool) -> tuple[bool, float] | None:
    """A sort key (best first) for a new speech that continues an old one, else None."""
    shared = len(old & new)
    if not shared:
        return None
    score = shared / (len(old) + len(new) - shared)
    # A piece of the old speech, or the speech the old one was merged into.
    derived = max(shared / len(old), shared / len(new)) >= MERGED_INTO
    if score >= SAME_SPEECH or (same_opening and derived):
        return (not same_opening, -score)
    return None


def _take_pairs(pairs) -> dict[int, str]:
    """Greedily, best pair first: each new ordinal and each old id used once."""
    ids: dict[int, str] = {}
    taken: set[str] = set()
    for ordinal, pid in pairs:
        if ordinal not in ids and pid not in taken:
            ids[ordinal] = pid
            taken.add(pid)
    return ids


def _add_fresh_ids(ids: dict[int, str], new: list[NewSpeech], derive, old_ids: set[str]) -> None:
    taken = set(ids.values())
    for speech in new:
        if speech.ordinal not in ids:
            candidate = derive(speech.ordinal)
            n = 0
            while candidate in taken or candidate in old_ids:
                n += 1
                candidate = derive(speech.ordinal * 1000 + n)
            ids[speech.ordinal] = candidate
            taken.add(candidate)


def successor(old: frozenset[str], new: dict[int, frozenset[str]]) -> int | None:
    """Where an old speech's text went: of the new speeches it was merged into or split
    into (003 篇六 became five speeches), the one holding most of it; else nowhere."""
    best, held = None, 0.0
    for ordinal, sh in sorted(new.items()):
        share = containment(old, sh)
        if share > held and (share >= MERGED_INTO or containment(sh, old) >= MERGED_INTO):
            best, held = ordinal, share
    return best
