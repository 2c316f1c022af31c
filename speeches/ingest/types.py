"""Typed values passed between the pipeline's steps. Frozen: a step returns new values."""

from __future__ import annotations

from dataclasses import dataclass, field

# GETA MARK, written for a character that cannot be told: a byte the decoding could not
# read (decode.py), a run the mojibake step could not settle. No running Chinese text
# uses it, so `MARKER in text` finds every unresolved character.
MARKER = "\u3013"


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str
    confidence: float
    # Places that could not be decoded: U+FFFD in the text (a GBK or Big5 reading, which
    # the mojibake step reads), or, in a UTF-8 or UTF-16 reading, broken bytes (marked).
    replaced: int = 0
    bom: bool = False
    # Lines (numbered from 1) that hold replaced bytes, the first few, for the report.
    damaged_lines: tuple[int, ...] = ()
    # In a UTF-8 or UTF-16 reading: how many MARKERs stand for the broken bytes (one per
    # character they held), and how many lines of that held damage.
    marks: int = 0
    damaged_line_count: int = 0
    # In a GBK or Big5 reading: how many stretches shifted by a lost byte were read in
    # step again (realign.py), each counted in `replaced` too.
    realigned: int = 0
    # Lines (from 1) of a UTF-8 page that had been read as Windows-1252 or Latin-1 and
    # saved as UTF-8 again, mended (reencoded.undoubled).
    undoubled_lines: tuple[int, ...] = ()
    # Lines (from 1) where the page itself wrote 锟斤拷 (two characters lost before it
    # reached us), marked 〓〓 (reencoded.replacements_marked).
    lost_on_site: tuple[int, ...] = ()
    # Lines (from 1) of a UTF-8 page saved in GB18030 (GBK) instead, read so.
    legacy_lines: tuple[int, ...] = ()
    # A damaged UTF-8 reading's text with one U+FFFD for each broken byte (decode.py reads
    # it in the same pass as `text`, whose U+FFFD stand one for each broken sequence).
    per_byte_text: str | None = field(default=None, repr=False, compare=False)


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
class Chunk:
    """The lines of one speech as the splitter cut them (split.py, breaks.py)."""

    title: str
    marker: str
    lines: tuple[Line, ...]
    # Why a speech starts here: "marker", "subtitle", "salutation", "closing",
    # "numbering-restart", "page" (no markers at all) or "fragment" (what survives of
    # a speech the page lost, under its marker).
    reason: str = "marker"
    # Short lines that open the speech and name it ("充实队伍完善机制丰富抓手。").
    heading_lines: tuple[str, ...] = ()


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


STATED = "stated"
INFERRED = "inferred"
UNKNOWN = "unknown"


@dataclass(frozen=True)
class Attribute:
    value: str = ""
    standing: str = UNKNOWN
    rule: str = ""
    # The words that state or imply the value, and the paragraph (from 1) they stand in;
    # paragraph 0 is the speech's title.
    evidence: str = ""
    paragraph: int | None = None

    def __bool__(self) -> bool:
        return bool(self.value)

    def to_dict(self) -> dict:
        return {
            "value": self.value,
            "standing": self.standing,
            "rule": self.rule,
            "evidence": self.evidence,
            "paragraph": self.paragraph,
        }


@dataclass(frozen=True)
class Attribution:
    speaker: Attribute = Attribute()
    office: Attribute = Attribute()
    date: Attribute = Attribute()
    place: Attribute = Attribute()
    occasion: Attribute = Attribute()

    def to_dict(self) -> dict:
        return {name: getattr(self, name).to_dict() for name in ("speaker", "office", "date", "place", "occasion")}

    @property
    def year(self) -> int | None:
        """The year when the date is one year or a day in it; None for a range."""
        return int(self.date.value[:4]) if self.date.value and "/" not in self.date.value else None


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
    # MinHash of the text (dedupe.signature) for finding copies across documents.
    signature: tuple[int, ...] = ()
    # "exact" (same fingerprint), "near" (dedupe.NEAR_DUPLICATE_THRESHOLD) or "partial"
    # (a cut-down copy of a longer speech, which is then its canonical) when a copy.
    duplicate_kind: str = ""
    # The short lines a speech opens with, when it names itself ("充实队伍完善机制丰富抓手").
    subtitle: str = ""
    # False when the page's title names a topic the content does not bear out (000).
    title_trusted: bool = True
    # What survives of a speech the page lost (残篇): its closing or opening paragraph.
    fragment: bool = False
    # The title to show: the scraped title when trusted, else one made from what the
    # speech itself says (its own heading, its meeting, its main topic).
    display_title: str = ""
    # Why the splitter started a speech here: marker, subtitle, salutation, closing, …
    split_reason: str = ""
    # Speaker, office, date, place and occasion, each with its standing (attribution.py).
    attribution: Attribution = Attribution()
    # The title is the archive's, not the source's (shown and cited in brackets).
    title_supplied: bool = False
    # The archive's words after the page's title, which display_title ends with in square
    # brackets (外宣工作会议上的讲话稿[雨山]: "雨山"), telling apart speeches sharing it.
    title_qualifier: str = ""

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
    # The site's block after the last speech ("相关文章:", "本文地址:"), kept out of speeches.
    trailer: str = ""
    # A title made by the archive for a page that has none (pipeline.supply_document_title).
    supplied_title: str = ""
    # Text under a marker too short to be a speech ("篇十四\n同志们,农业生产是…"), kept
    # so no text is lost; the document's report warns about each.
    fragments: tuple[str, ...] = ()

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
