"""GBK one-byte-off mojibake, repaired line by line (see repair.py)."""

from .repair import (
    MARKER,
    MojibakeStats,
    Repairs,
    add_stats,
    count_suspects,
    forget_repairs,
    given_repairs,
    is_suspect,
    load_tables,
    may_be_written,
    repair_line,
    repair_line_cached,
    repair_mojibake,
)

__all__ = [
    "MARKER",
    "MojibakeStats",
    "Repairs",
    "add_stats",
    "count_suspects",
    "forget_repairs",
    "given_repairs",
    "is_suspect",
    "load_tables",
    "may_be_written",
    "repair_line",
    "repair_line_cached",
    "repair_mojibake",
]
