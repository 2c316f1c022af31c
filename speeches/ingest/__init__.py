"""The ingest pipeline: pure Python, no Django. Raw bytes in, a typed ParsedDocument out."""

from .pipeline import PIPELINE_VERSION, parse_document
from .types import IngestError, ParsedDocument, ParsedSection, ParsedSpeech

__all__ = ["PIPELINE_VERSION", "IngestError", "ParsedDocument", "ParsedSection", "ParsedSpeech", "parse_document"]
