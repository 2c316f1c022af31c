"""Raw bytes to a ParsedDocument: decode, restore, clean, split, describe, classify."""

from __future__ import annotations

import hashlib

from .classify import classify
from .clean import clean_lines
from .decode import decode_bytes
from .identity import content_fingerprint
from .metadata import find_genre, find_occasion, find_speaker_level, find_year
from .restore import restore_lines
from .sections import split_sections
from .split import Chunk, split_collection
from .types import Decoded, ParsedDocument, ParsedSpeech, StepReport

# Bump when the pipeline's output changes; stored on each document so an admin can
# see which documents were parsed by older code and re-ingest them.
PIPELINE_VERSION = "0.1.0"


def build_speech(ordinal: int, chunk: Chunk) -> ParsedSpeech:
    paragraphs = tuple(line.text for line in chunk.lines if line.text)
    text = "\n".join(paragraphs)
    original = "\n".join(line.raw for line in chunk.lines if line.raw)
    title = chunk.title or (paragraphs[0][:40] if paragraphs else "")
    return ParsedSpeech(
        ordinal=ordinal,
        title=title,
        text=text,
        original_text=original,
        sections=split_sections(paragraphs),
        marker=chunk.marker,
        year=find_year(title, text),
        occasion=find_occasion(title, text),
        speaker_level=find_speaker_level(title, text),
        genre=find_genre(title),
        topics=classify(text),
        fingerprint=content_fingerprint(text),
    )


def mark_exact_duplicates(speeches: list[ParsedSpeech]) -> list[ParsedSpeech]:
    from dataclasses import replace

    first_by_print: dict[str, int] = {}
    out = []
    for speech in speeches:
        canonical = first_by_print.setdefault(speech.fingerprint, speech.ordinal)
        out.append(replace(speech, duplicate_of=canonical) if canonical != speech.ordinal else speech)
    return out


def parse_text(decoded: Decoded, sha256: str, size: int) -> ParsedDocument:
    lines, reports = restore_lines(decoded.text)
    lines, clean_report = clean_lines(lines)
    collection = split_collection(lines)
    speeches = [build_speech(i + 1, chunk) for i, chunk in enumerate(collection.chunks)]
    speeches = [s for s in speeches if s.text]
    speeches = mark_exact_duplicates(speeches)
    split_report = StepReport(
        "split",
        {
            "speeches": len(speeches),
            "duplicates_within": sum(1 for s in speeches if s.duplicate_of is not None),
            "sections": sum(len(s.sections) for s in speeches),
        },
    )
    decode_report = StepReport(
        "decode",
        {"replaced_bytes": decoded.replaced},
        (f"{decoded.encoding} ({decoded.confidence:.2f})",),
        (f"{decoded.replaced} undecodable bytes replaced",) if decoded.replaced else (),
    )
    warnings = () if speeches else ("no speech found in this file",)
    return ParsedDocument(
        sha256=sha256,
        size=size,
        encoding=decoded.encoding,
        confidence=decoded.confidence,
        title=collection.title,
        preamble="\n".join(line.text for line in collection.preamble),
        speeches=tuple(speeches),
        report=(decode_report, *reports, clean_report, split_report),
        pipeline_version=PIPELINE_VERSION,
        warnings=warnings,
    )


def parse_document(raw: bytes) -> ParsedDocument:
    """The whole pipeline. Raises IngestError for input that cannot become a document."""
    decoded = decode_bytes(raw)
    return parse_text(decoded, hashlib.sha256(raw).hexdigest(), len(raw))
