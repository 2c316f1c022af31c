"""Near-duplicate speeches: a small MinHash over character shingles.

The same speech is published again and again with small edits: 001 篇一 and 篇四
differ in placeholders ("近xxx万" / "近190万"), 004 prints its 城市工作 speech twice
with a link word cut out of one copy, 003 repeats its whole first half. Exact copies
share `identity.content_fingerprint`; edited copies share most 4-character shingles.

The signature is one-permutation MinHash: each shingle is hashed once, the high bits
pick one of `SIGNATURE_SIZE` bins and the bin keeps its smallest hash. Shingles are
read four Han characters at a time straight out of the UTF-16 bytes (4 × 16 bits is
exactly one 64-bit word), so the costly part runs in C (numpy's unsigned 64-bit
arithmetic, which wraps at 2**64 as the hash wants) and the signature is the same in
every process (no salted `hash()`). Stored values fit a signed 64-bit column.
"""

from __future__ import annotations

import hashlib
import re
import sys
from collections.abc import Iterable
from operator import eq
from typing import TypeVar

import numpy as np

SIGNATURE_SIZE = 128
_BIN_BITS = 7  # 2**7 == SIGNATURE_SIZE
_VALUE_BITS = 64 - _BIN_BITS
_VALUE_MASK = (1 << _VALUE_BITS) - 1
# An empty bin (very short speech) holds this; it is never counted as a match.
EMPTY = -1
_MASK64 = (1 << 64) - 1
# An odd 64-bit constant (from splitmix64) spreads the raw shingle codes.
_MUL1 = 0xBF58476D1CE4E5B9

# Estimated Jaccard similarity of shingle sets from which a speech counts as a copy
# of another. Measured on the seeds: re-published copies score ≥ 0.85 (001 篇一/篇四
# ≈ 0.87, 004's two 城市工作 copies ≈ 0.96), unrelated speeches on the same subject
# (the two 科技工作 speeches of 004) ≤ 0.1.
NEAR_DUPLICATE_THRESHOLD = 0.7
# A speech whose shingles lie this much inside a longer one is a cut-down copy of it:
# 003 篇三 is the first seven paragraphs of 篇五 (containment 0.99, Jaccard only 0.33).
PARTIAL_COPY_THRESHOLD = 0.9
# Below this estimated Jaccard a pair is not even checked for containment.
_PARTIAL_CANDIDATE = 0.1
# LSH banding for candidate search in the database: 32 bands of 4 rows find a pair
# at similarity 0.7 with probability 0.9996 and at 0.3 with probability 0.23.
BANDS = 32
ROWS = SIGNATURE_SIZE // BANDS

K = TypeVar("K")
_NOT_CONTENT = re.compile(r"[^\u4e00-\u9fff0-9]+")


def shingle_codes(text: str) -> set[int]:
    """Every run of 4 Han characters or digits, as a 64-bit integer (punctuation ignored)."""
    core = _NOT_CONTENT.sub("", text)
    data = core.encode("utf-16-le")
    codes: set[int] = set()
    for offset in range(0, 8, 2):
        usable = (len(data) - offset) // 8 * 8
        if usable > 0:
            codes.update(memoryview(data[offset : offset + usable]).cast("Q"))
    if sys.byteorder != "little":  # keep signatures portable across machines
        codes = {int.from_bytes(c.to_bytes(8, "big"), "little") for c in codes}
    return codes


def shingle_hashes(text: str) -> np.ndarray:
    """(code × _MUL1) mod 2**64 for every shingle code, repeats included (a bin's
    minimum does not care), as an array of uint64."""
    data = _NOT_CONTENT.sub("", text).encode("utf-16-le")
    words = b"".join(data[offset : offset + (len(data) - offset) // 8 * 8] for offset in range(0, 8, 2))
    return np.frombuffer(words, dtype="<u8") * np.uint64(_MUL1)


_BIN_STARTS = np.arange(SIGNATURE_SIZE, dtype=np.uint64) << np.uint64(_VALUE_BITS)


def signature(text: str) -> tuple[int, ...]:
    """`SIGNATURE_SIZE` ints: per bin, the smallest shingle hash, or EMPTY.

    In numpy: sorting the hashes of the seeds' speeches as Python ints and finding each
    bin's first by bisection was 0.1 s of a 1.1 s pass over the seeds."""
    hashes = np.sort(shingle_hashes(text))
    if not len(hashes):
        return (EMPTY,) * SIGNATURE_SIZE
    # Each bin's first hash, if the bin has any: a bin past the last hash points at the
    # last, which then lies in an earlier bin.
    first = hashes[np.minimum(np.searchsorted(hashes, _BIN_STARTS), len(hashes) - 1)]
    filled = first >> np.uint64(_VALUE_BITS) == _BIN_STARTS >> np.uint64(_VALUE_BITS)
    values = (first & np.uint64(_VALUE_MASK)).astype(np.int64)
    return tuple(np.where(filled, values, EMPTY).tolist())


def similarity(a: tuple[int, ...], b: tuple[int, ...]) -> float:
    """Estimated Jaccard similarity: equal bins among bins that are filled in either."""
    if len(a) != len(b) or not a:
        return 0.0
    equal = sum(map(eq, a, b))
    if EMPTY not in a or EMPTY not in b:
        # Only speeches of a few dozen characters leave bins empty; the rest skip the
        # per-bin loop below, which the partial-copy search calls for every pair.
        return equal / len(a)
    both_empty = sum(1 for x, y in zip(a, b, strict=True) if x == EMPTY and y == EMPTY)
    filled = len(a) - both_empty
    return (equal - both_empty) / filled if filled else 0.0


def is_near_duplicate(a: tuple[int, ...], b: tuple[int, ...]) -> bool:
    return similarity(a, b) >= NEAR_DUPLICATE_THRESHOLD


def band_keys(sig: tuple[int, ...]) -> list[str]:
    """Keys to store beside a speech: two speeches sharing a key are candidates to compare."""
    keys = []
    for band in range(BANDS):
        rows = sig[band * ROWS : (band + 1) * ROWS]
        if all(value == EMPTY for value in rows):
            continue
        digest = hashlib.blake2b(repr(rows).encode("ascii"), digest_size=8).hexdigest()
        keys.append(f"{band:02d}{digest}")
    return keys


def best_match(sig: tuple[int, ...], candidates: Iterable[tuple[K, tuple[int, ...]]]) -> tuple[K, float] | None:
    """The candidate most similar to `sig`, if it is a near duplicate: for the loader,
    which finds candidates in the database by `band_keys` and keeps the best."""
    scored = [(similarity(sig, other), key) for key, other in candidates]
    good = [(score, key) for score, key in scored if score >= NEAR_DUPLICATE_THRESHOLD]
    if not good:
        return None
    score, key = max(good, key=lambda item: item[0])
    return key, score


def find_canonicals(signatures: list[tuple[int, ...]]) -> list[int | None]:
    """For each signature, the index of the first earlier one it duplicates (else None).

    A copy always points at the first speech of its group, never at another copy;
    group_copies then makes the fullest of each group its canonical speech.
    """
    out: list[int | None] = []
    buckets: dict[str, list[int]] = {}
    for i, sig in enumerate(signatures):
        keys = band_keys(sig)
        candidates = sorted({j for key in keys for j in buckets.get(key, ())})
        canonical = next((j for j in candidates if out[j] is None and is_near_duplicate(sig, signatures[j])), None)
        out.append(canonical)
        for key in keys:
            buckets.setdefault(key, []).append(i)
    return out


def containment(part: str, whole: str) -> float:
    """Share of `part`'s shingles that occur in `whole` (exact, not estimated)."""
    return share_held(shingle_codes(part), shingle_codes(whole))


def share_held(mine: set[int], theirs: set[int]) -> float:
    """Share of `mine` that `theirs` holds (containment on shingle sets already made)."""
    return len(mine & theirs) / len(mine) if mine else 0.0


def group_copies(
    fingerprints: list[str], texts: list[str]
) -> tuple[list[tuple[int, ...]], list[tuple[int, str] | None]]:
    """Signatures, and for each speech (index of its canonical speech, kind) or None.

    Kinds: "exact" (same fingerprint), "near" (similar signatures), "partial" (contained
    in a longer speech). In each group the copy with the most text is canonical (the
    first of equals): the one a reader is shown. A page prints a speech again with what
    its first print lost: 004's 青山湖 speech with the commas its first print dropped
    (the fingerprint leaves punctuation out), 001's 篇四 with the numbers its 篇一 masks
    (第五次 for 第x次) and three sections more. A copy always points at a canonical
    speech, never at another copy.
    """
    fullest: dict[str, int] = {}
    for i, fingerprint in enumerate(fingerprints):
        if fingerprint not in fullest or len(texts[i]) > len(texts[fullest[fingerprint]]):
            fullest[fingerprint] = i
    links: dict[int, tuple[int, str]] = {
        i: (fullest[fingerprint], "exact") for i, fingerprint in enumerate(fingerprints) if fullest[fingerprint] != i
    }
    sigs: list[tuple[int, ...]] = [() for _ in texts]
    distinct = [i for i in range(len(texts)) if i not in links]
    for i in distinct:
        sigs[i] = signature(texts[i])
    groups: dict[int, list[int]] = {}
    for i, canonical in zip(distinct, find_canonicals([sigs[i] for i in distinct]), strict=True):
        groups.setdefault(i if canonical is None else distinct[canonical], []).append(i)
    for members in groups.values():
        best = max(members, key=lambda i: (len(texts[i]), -i))
        links.update((i, (best, "near")) for i in members if i != best)
    _link_partial_copies([i for i in distinct if i not in links], texts, sigs, links)
    for i, (target, kind) in links.items():
        if kind == "exact":  # not computed: the same text as the speech it copies
            sigs[i] = sigs[target]
    return sigs, [_resolve(i, links) for i in range(len(texts))]


def _link_partial_copies(distinct: list[int], texts: list[str], sigs: list, links: dict) -> None:
    by_length = sorted(distinct, key=lambda i: (len(texts[i]), -i))
    # Each speech's shingles made once: containment() made both sets again for every
    # candidate pair (a page of 870 speeches from one template parsed for 80 s).
    shingles: dict[int, set[int]] = {}

    def codes(i: int) -> set[int]:
        if i not in shingles:
            shingles[i] = shingle_codes(texts[i])
        return shingles[i]

    for n, short in enumerate(by_length):
        for long in reversed(by_length[n + 1 :]):
            if similarity(sigs[short], sigs[long]) < _PARTIAL_CANDIDATE or long in links:
                continue
            if share_held(codes(short), codes(long)) >= PARTIAL_COPY_THRESHOLD:
                links[short] = (long, "partial")
                break


def _resolve(i: int, links: dict[int, tuple[int, str]]) -> tuple[int, str] | None:
    if i not in links:
        return None
    target, kind = links[i]
    seen = {i}
    while target in links and target not in seen:  # a copy of a copy: follow to the original
        seen.add(target)
        target = links[target][0]
    return target, kind
