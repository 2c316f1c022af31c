"""GBK one-byte-off mojibake (`確??荚嚢踩?` is 確保考試安全).

Placeholder detection only; the repair lives in a later change.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_SUSPECT = re.compile(r"\?{2,}|(?<=[\u4e00-\u9fff])\?(?=[\u4e00-\u9fff])")


@dataclass(frozen=True)
class MojibakeStats:
    found: int = 0
    repaired: int = 0
    marked: int = 0


def repair_mojibake(text: str) -> tuple[str, MojibakeStats]:
    return text, MojibakeStats(found=len(_SUSPECT.findall(text)))
