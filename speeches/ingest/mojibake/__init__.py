"""GBK one-byte-off mojibake, repaired line by line (see repair.py)."""

from __future__ import annotations

from functools import lru_cache

from .constants import MARKER
from .language_model import char_lm
from .model import Model
from .reading import may_be_written
from .repair import MojibakeStats, Repairer, Repairs, add_stats, count_suspects, is_suspect

__all__ = [
    "MARKER",
    "MojibakeStats",
    "Repairer",
    "Repairs",
    "add_stats",
    "count_suspects",
    "default_repairer",
    "forget_repairs",
    "given_repairs",
    "is_suspect",
    "load_tables",
    "may_be_written",
    "repair_line",
    "repair_line_cached",
    "repair_mojibake",
]


@lru_cache(maxsize=1)
def default_repairer() -> Repairer:
    """The process's repairer, on the shared character model: made on first use and
    kept, with everything it remembers, for the life of the process."""
    return Repairer(Model(char_lm()))


def repair_mojibake(text: str) -> tuple[str, MojibakeStats]:
    """Repair every damaged line of the text (restore.py's mojibake step)."""
    return default_repairer().repair_text(text)


def repair_line(line: str) -> tuple[str, MojibakeStats]:
    """Repair one line, searching afresh."""
    return default_repairer().repair_line(line)


def repair_line_cached(line: str) -> tuple[str, MojibakeStats]:
    """Repair one line, or recall its recent repair (restore.line_repairs)."""
    return default_repairer().repair_line_cached(line)


def given_repairs(repairs: Repairs) -> None:
    """Use these repairs, worked out in other processes, instead of searching again,
    until the next call replaces them (pipeline.parse_many)."""
    default_repairer().give(repairs)


def forget_repairs() -> None:
    """Empty the repeated-line cache (benchmarks time each pass from cold)."""
    default_repairer().forget()


def load_tables() -> None:
    """Load the model and build every table now rather than on first use
    (pipeline.warm_up)."""
    default_repairer().load()
