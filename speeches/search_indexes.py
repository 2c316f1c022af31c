"""haystack looks for an app's indexes in this module; the Whoosh engine keeps its own."""

from .search.whoosh.index import SpeechIndex

__all__ = ["SpeechIndex"]
