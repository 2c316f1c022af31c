"""What reading a run needs: the character model and the tables built on it.

One Model is made per process (default_repairer, in __init__.py), on the shared
character model (language_model.char_lm). Everything it remembers is a function of that
model and of the bytes asked about, so a repair never depends on what was asked before.
"""

from __future__ import annotations

from .dropped import DroppedPairs
from .language_model import CharLM
from .pruning import BoundaryPruner


class Model:
    def __init__(self, lm: CharLM) -> None:
        self.lm = lm  # the character judge (language_model.py), its memo included
        self.dropped = DroppedPairs(lm)  # slots around dropped pairs, and the word indexes
        self.pruner = BoundaryPruner(lm)  # lost-byte slots cut down, remembered
