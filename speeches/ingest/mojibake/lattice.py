"""The lattice of one run: for each character position in step, the ways to read it.

A run's bytes (runs.Hypothesis.data, in original order, None for a lost byte at either
end: `(None, A3, BF, 82, BD, 59)` for 000's "??偨Y") are read two at a time, back in
step. Each pair is one Position of the lattice. A pair with both bytes known is one
character; a pair with a lost byte is any character sharing the other byte (a Slot of
~170 candidates for a known lead, ~115 for a known trail, cut down by pruning.py before
the search).

The decoder that garbled the seeds also dropped, silently, every pair it could not map
(GBK's user-defined rows AA–AF and F8–FE, and A1–A7 with a trail below A1): in 003
"城市管理水平提升工程" came out as "┏鞘泄芾硭教嵘こ" with the pairs AE C6 and FD B9
simply gone. So where the in-step character reads badly between its neighbours
(HIDDEN_GATE), a Position gets a second Option: two slots around a dropped pair (and,
on a second reading, three around two dropped pairs in a row), whose slots dropped.py
builds. viterbi.py finds the best path through the options, each at its prior.

    Lattice ─ positions ─▶ Position ─ options ─▶ Option ─ slots ─▶ Slot ─ cands ─▶ Candidate

A path through the lattice (LatticePath) is the chosen candidate of every slot, with
its slot. It stays a plain tuple: viterbi.py extends one for every candidate it keeps.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from .constants import HIDDEN_GATE, RARE_CHAR
from .dropped import DroppedPairs
from .language_model import CharLM
from .pairs import Candidate, Slot, indexes, pair_slot


@dataclass(frozen=True)
class Option:
    """One way to read a position: one slot in step, two around a dropped pair, or three
    around two dropped pairs in a row (the middle one lost both its bytes)."""

    slots: tuple[Slot, ...]


@dataclass(frozen=True)
class Position:
    """One byte pair of the run in step, and the ways to read it."""

    options: tuple[Option, ...]


@dataclass(frozen=True)
class Lattice:
    positions: tuple[Position, ...]

    def with_first(self, position: Position) -> Lattice:
        return Lattice((position, *self.positions[1:]))

    def with_last(self, position: Position) -> Lattice:
        return Lattice((*self.positions[:-1], position))

    def has_triples(self) -> bool:
        return any(len(option.slots) == 3 for position in self.positions for option in position.options)


# The chosen candidate of each slot along a path, with its slot.
LatticePath = tuple[tuple[Candidate, Slot], ...]


class ScoredPath(NamedTuple):
    score: float  # the character model's log-probability of the path, priors included
    path: LatticePath


def known_char(slot: Slot | None) -> str:
    """The slot's character if it has only one, else "" (a neighbour we do not know)."""
    return slot.cands[0].simple if slot is not None and len(slot.cands) == 1 else ""


def _plausible(lm: CharLM, plain: list[Slot | None], k: int, nxt: str = "") -> bool:
    """Is the in-step character at k at home between its neighbours? Only where it is not
    do we pay for the dropped-pair reading (~600 model look-ups a position)."""
    ch = known_char(plain[k])
    if not ch:
        return plain[k] is not None
    if lm.unigrams.get(ch, 0) < RARE_CHAR:  # 000 "?;A設施": 籄 (BB 41) hides 基礎
        return False
    left = known_char(plain[k - 1]) if k else ""
    # The run's last character is judged against the text after the run too: 003
    # "列入?yún)⒄h政" reads 參説 in step, and only 説政 shows that 政議 lost a pair.
    right = known_char(plain[k + 1]) if k + 1 < len(plain) else nxt[:1]
    # Next to a lost-byte slot the neighbour is unknown; the character's own frequency
    # stands in for it (000 "?;舅悸": 痪 after the lost 。 hides 基本).
    score = lm.logp(left, ch) if left else lm.unigram_logp(ch)
    if right:
        score += lm.logp(ch, right)
    return score > HIDDEN_GATE


def build_lattice(
    lm: CharLM,
    dropped: DroppedPairs,
    data: tuple[int | None, ...],
    first_leads: frozenset[int] = frozenset(),
    nxt: str = "",
    triples: bool = False,
) -> Lattice | None:
    """The run's lattice, or None where some byte pair can be no character. `first_leads`:
    what an inserted annotation says of the first lead byte (runs._leads_read_as);
    `nxt`: the character after the run; `triples`: offer two dropped pairs in a row."""
    pairs = [(data[k], data[k + 1]) for k in range(0, len(data) - 1, 2)]
    plain = [pair_slot(lead, trail) for lead, trail in pairs]
    positions: list[Position] = []
    for k, (lead, trail) in enumerate(pairs):
        if k == 0 and first_leads and trail is not None:
            firsts = dropped.first_slots(trail, first_leads)
            if firsts:
                positions.append(Position(tuple(Option(slots) for slots in firsts)))
                continue
        if k == 0 and first_leads and trail is None:
            # 003 "向?qū)?、交流": the annotation gives the lead (8C), the closing `?`
            # took the trail, and nothing was garbled in between: 導 is 8C 8D.
            cands = tuple(c for lead in sorted(first_leads) for c in indexes()[0].get(lead, ()))
            if cands:
                positions.append(Position((Option((Slot(cands),)),)))
                continue
        options = [Option((plain[k],))] if plain[k] else []
        if k > 0 and lead is not None and trail is not None and not _plausible(lm, plain, k, nxt):
            hidden = dropped.hidden_pair(lead, trail)
            if hidden:
                options.append(Option(hidden))
            triple = dropped.hidden_triple(lead, trail) if triples else None
            if triple:
                options.append(Option(triple))
        if not options:
            return None
        positions.append(Position(tuple(options)))
    return Lattice(tuple(positions))
