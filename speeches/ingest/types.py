"""Typed values passed between the pipeline's steps. Frozen: a step returns new values."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str
    confidence: float
    # Bytes that could not be decoded and were replaced by U+FFFD.
    replaced: int = 0
    bom: bool = False


@dataclass(frozen=True)
class Line:
    """One line of the source, as found (raw) and as restored (text).

    Keeping both side by side lets the splitter cut the original text at the
    same places as the restored text, so every speech keeps its original.
    `junk` names the rule that removed the line; its text is then "".
    """

    number: int
    raw: str
    text: str
    junk: str = ""


@dataclass(frozen=True)
class StepReport:
    step: str
    counts: dict[str, int] = field(default_factory=dict)
    examples: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()

    def to_dict(self) -> dict:
        return {
            "step": self.step,
            "counts": dict(self.counts),
            "examples": list(self.examples),
            "warnings": list(self.warnings),
        }


@dataclass(frozen=True)
class ParsedSection:
    ordinal: int
    heading: str
    level: int
    paragraphs: tuple[str, ...]


@dataclass(frozen=True)
class ParsedSpeech:
    ordinal: int
    title: str
    text: str
    original_text: str
    sections: tuple[ParsedSection, ...]
    marker: str = ""
    year: int | None = None
    occasion: str = ""
    speaker_level: str = ""
    genre: str = ""
    region: str = ""
    topics: tuple[tuple[str, float], ...] = ()
    keywords: tuple[str, ...] = ()
    fingerprint: str = ""
    # Ordinal of an earlier speech in the same document with the same content.
    duplicate_of: int | None = None

    @property
    def paragraphs(self) -> tuple[str, ...]:
        return tuple(p for p in self.text.split("\n") if p)


@dataclass(frozen=True)
class ParsedDocument:
    sha256: str
    size: int
    encoding: str
    confidence: float
    title: str
    preamble: str
    speeches: tuple[ParsedSpeech, ...]
    report: tuple[StepReport, ...]
    pipeline_version: str
    warnings: tuple[str, ...] = ()

    def report_dict(self) -> dict:
        return {
            "pipeline_version": self.pipeline_version,
            "encoding": self.encoding,
            "confidence": round(self.confidence, 3),
            "speeches": len(self.speeches),
            "duplicates_within": sum(1 for s in self.speeches if s.duplicate_of is not None),
            "steps": [step.to_dict() for step in self.report],
            "warnings": list(self.warnings),
        }


class IngestError(Exception):
    """Raised by the pipeline for input that cannot become a document (empty, binary, …).

    The message is shown to admins as the reason a document failed.
    """
