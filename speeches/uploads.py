"""What the admin upload does with the files it receives, before and after loading.

- `expand_upload` turns one uploaded file into the pieces to store: itself, or the
  pages inside a zip. A zip is opened defensively: it comes from a scraper run on
  someone's laptop and may be corrupt, truncated, huge when inflated (a "zip bomb"),
  or hold thousands of members, absolute or `../` paths, nested zips or images.
- `upload_files` sends every piece through `loading.ingest_bytes`, the same function
  `manage.py ingest` calls, and `file_report` turns each result into the lines the
  admin reads.

Nothing here writes a member to disk by its name: pieces are stored by content hash,
so a hostile path such as `../../etc/passwd` is only ever a label.
"""

from __future__ import annotations

import io
import posixpath
import time
import zipfile
from collections.abc import Iterable
from contextlib import nullcontext
from dataclasses import dataclass, field, replace

from django.conf import settings

from .index_check import PENDING_MARK
from .loading import LoadResult, child_parser, ingest_bytes, remember_name, size_text, store_upload
from .models import Document

PAGE_SUFFIXES = (".txt", ".html", ".htm")
ZIP_MAX_MEMBERS = 500
# A zip may inflate to at most this many bytes in all; past it the zip is refused
# whole, so a bomb never fills the memory of a web worker.
ZIP_MAX_TOTAL_BYTES = 64 * 1024 * 1024
# Files a zip tool adds that are not pages and not worth a line in the report.
_NOISE = ("__MACOSX/", ".DS_Store", "Thumbs.db", "desktop.ini")


@dataclass(frozen=True)
class Piece:
    """One file to store: a top-level upload or a page taken out of a zip."""

    name: str
    raw: bytes
    # Set when the piece must be kept but not parsed (a refused zip): the reason shown.
    refusal: str = ""
    # A zip kept whole because it held files that were not taken out, its pages in: kept,
    # not failed, as the upload's report tells it (its document has no speeches of its own).
    whole: bool = False
    # The document its bytes were stored as (upload_files lets them go, and reads them back).
    stored: int | None = None


@dataclass
class Expansion:
    pieces: list[Piece] = field(default_factory=list)
    # (member name, reason) for zip members that were not taken (not stored).
    skipped: list[tuple[str, str]] = field(default_factory=list)


class ZipRefused(Exception):
    pass


def is_zip(name: str, raw: bytes) -> bool:
    # By name only: a .docx is a zip too, and must reach the pipeline (and be kept as
    # failed with its reason) rather than be opened and found to hold no pages.
    return name.lower().endswith(".zip")


def expand_upload(name: str, raw: bytes) -> Expansion:
    """A plain file is one piece (the pipeline judges its content); a zip its pages.
    A zip that cannot be opened safely becomes one piece that is kept and refused."""
    if not is_zip(name, raw):
        return Expansion([Piece(name, raw)])
    try:
        expansion = expand_zip(name, raw)
    except ZipRefused as error:
        return Expansion([Piece(name, raw, refusal=str(error))])
    if expansion.skipped:
        # Nothing uploaded is lost: the files not taken out stay in the zip, kept whole with
        # the list of what was left in it (reported 原样保存; its document, with no speech
        # of its own, is failed).
        left = "；".join(f"{label}：{reason}" for label, reason in expansion.skipped)
        reason = f"压缩包原样保存，其中 {len(expansion.skipped)} 个文件未入库（zip kept; files not taken）：{left}"
        expansion.pieces.append(Piece(name, raw, refusal=reason[:2000], whole=True))
    return expansion


def expand_zip(name: str, raw: bytes) -> Expansion:
    try:
        archive = zipfile.ZipFile(io.BytesIO(raw))
        members = [info for info in archive.infolist() if not info.is_dir() and not _is_noise(info.filename)]
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError) as error:
        raise ZipRefused(f"压缩包损坏或不完整（corrupt or truncated zip: {error}）") from None
    if len(members) > ZIP_MAX_MEMBERS:
        raise ZipRefused(f"压缩包文件过多：{len(members)} 个，上限 {ZIP_MAX_MEMBERS}（too many files in zip）")
    expansion, budget = Expansion(), ZIP_MAX_TOTAL_BYTES
    for info in members:
        label = f"{name}/{safe_member_name(member_name(info))}"
        reason = member_problem(info)
        if reason:
            expansion.skipped.append((label, reason))
            continue
        data = read_member(archive, info, min(budget, settings.INGEST_MAX_BYTES))
        if data is None:
            if budget < settings.INGEST_MAX_BYTES:
                raise ZipRefused(f"压缩包解压后过大，超过 {ZIP_MAX_TOTAL_BYTES // 2**20} MB（zip inflates too much）")
            expansion.skipped.append(
                (label, f"文件过大，超过 {size_text(settings.INGEST_MAX_BYTES)}（file too large）")
            )
            continue
        budget -= len(data)
        expansion.pieces.append(Piece(label, data))
    if not expansion.pieces:  # nothing to keep but the zip itself, with why
        why = "；".join(f"{label}：{reason}" for label, reason in expansion.skipped)
        raise ZipRefused("压缩包中没有可入库的 .txt/.html/.htm 文件（no pages in zip）" + (f"：{why}" if why else ""))
    return expansion


def _is_noise(filename: str) -> bool:
    return any(part in filename for part in _NOISE) or posixpath.basename(filename).startswith("._")


def member_name(info: zipfile.ZipInfo) -> str:
    """The member's name as its author wrote it. A name not flagged UTF-8 is read by
    zipfile as CP437, but Chinese Windows tools write GBK there ("├√╫╓.txt" for 讲话.txt),
    and those of Taiwan and Hong Kong Big5 (講話稿.txt, read as GBK, was 量杠絑.txt): the
    reading more of whose characters are its encoding's common ones (GB2312's first level,
    Big5's), GBK when as many. (Not the pipeline's character model: this runs in the web
    process, which must stay small.)"""
    if info.flag_bits & 0x800:
        return info.filename
    try:
        raw = info.filename.encode("cp437")
    except UnicodeEncodeError:
        return info.filename
    readings = []
    for encoding, common in (("gb18030", _COMMON_GB), ("cp950", _COMMON_BIG5)):
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError:
            continue
        readings.append((_common_share(text, common), -len(readings), text))
    return max(readings)[2] if readings else info.filename


# The lead bytes of the commonest characters: GB2312's first level (3,755 characters) and
# Big5's common characters (5,401).
_COMMON_GB = ("gb2312", 0xB0, 0xD7)
_COMMON_BIG5 = ("big5", 0xA4, 0xC6)


def _common_share(text: str, common: tuple[str, int, int]) -> float:
    encoding, first, last = common
    wide = [ch for ch in text if ord(ch) > 0x7F]
    if not wide:
        return 1.0
    found = 0
    for ch in wide:
        try:
            found += first <= ch.encode(encoding)[0] <= last
        except UnicodeEncodeError:
            pass
    return found / len(wide)


def safe_member_name(filename: str) -> str:
    """A readable label without drive letters, leading slashes or `..` steps."""
    parts = [p for p in filename.replace("\\", "/").split("/") if p not in ("", ".", "..")]
    return "/".join(parts)[-200:] or "unnamed"


def member_problem(info: zipfile.ZipInfo) -> str:
    if info.flag_bits & 0x1:
        return "已加密，无法读取（encrypted）"
    # The name's last dot, also in a name of dots (posixpath.splitext gives "....txt" and
    # ".txt" no suffix: such a page was refused as having no extension).
    base = posixpath.basename(info.filename.lower())
    suffix = "." + base.rsplit(".", 1)[1] if "." in base else ""
    if suffix == ".zip":
        return "不展开嵌套的压缩包（nested zip not expanded）"
    if suffix not in PAGE_SUFFIXES:
        return f"不是网页或文本文件：{suffix or '无扩展名'}（not a .txt/.html/.htm file）"
    return ""


def read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int) -> bytes | None:
    """The member's bytes, or None when it inflates past `limit`. A declared size that
    lies is caught too: zipfile stops at it and fails the CRC check (BadZipFile), and
    reading stops at limit + 1 whatever happens."""
    if info.file_size > limit:
        return None
    try:
        with archive.open(info) as handle:
            data = handle.read(limit + 1)
    except (zipfile.BadZipFile, EOFError, OSError, NotImplementedError) as error:
        raise ZipRefused(f"压缩包损坏或不完整（corrupt or truncated zip: {error}）") from None
    return None if len(data) > limit else data


@dataclass
class Allowance:
    """What one request may parse itself before it queues the rest for the worker:
    INGEST_INLINE_MAX_BYTES of pages parsed, and INGEST_INLINE_SECONDS. It bounds the whole
    request, not each file, so that many files, a big zip or an admin's re-ingest of
    several kept zips cannot outlast the web server's timeout (a killed request would
    leave them pending; each kept zip re-ingested had a request's allowance of its own,
    and three outlasted gunicorn's 120 s). Time, too: a page of a hostile shape, or a
    thousand small failures that cost no bytes, outlasted it."""

    deadline: float  # time.monotonic()
    budget: int  # bytes

    @classmethod
    def for_request(cls) -> Allowance:
        return cls(time.monotonic() + settings.INGEST_INLINE_SECONDS, settings.INGEST_INLINE_MAX_BYTES)

    def seconds_left(self) -> float:
        return self.deadline - time.monotonic()

    def inline_max(self) -> int:
        """How big a page this request may still parse itself (0: queue it)."""
        return max(self.budget, 0) if self.seconds_left() > 0 else 0

    def spent(self, result: LoadResult, size: int) -> None:
        self.budget -= size if result.status == "ingested" else 0


def upload_files(
    files: Iterable[tuple[str, bytes]],
    user,
    force: bool = False,
    allowance: Allowance | None = None,
    parser=None,
) -> list[dict]:
    """Store and ingest every uploaded file (zips expanded); one report per piece or skip.
    `force` parses pages already in the archive again (the admin's re-ingest of a zip);
    `allowance` and `parser` are the request's, where it parses other files too."""
    reports = []
    allowance = allowance or Allowance.for_request()

    # Every page's bytes are kept before any is parsed: a request that dies on one (its
    # worker killed, an error past the pipeline's) had never stored the pages after it.
    # Kept and not yet parsed, a page is pending; the worker takes it up (requeue_stale).
    # One upload's pages at a time, their bytes let go once stored and read back from the
    # database when parsed: every file and every page of every zip was held at once (an
    # audit's request of zips that inflate to 60 MB each grew a web worker by 60 MB a zip).
    expansions = []
    for name, raw in files:
        expansion = expand_upload(name, raw)
        for index, piece in enumerate(expansion.pieces):
            if not piece.refusal:
                document, _ = store_upload(piece.raw, piece.name, user)
                expansion.pieces[index] = replace(piece, raw=b"", stored=document.pk)
        expansions.append(expansion)
    if parser is not None:
        parsing = nullcontext(parser)
    elif settings.INGEST_INLINE_IN_CHILD:
        parsing = child_parser(allowance.seconds_left, in_request=True)
    else:
        parsing = nullcontext(None)
    with parsing as parser:
        for expansion in expansions:
            for piece in expansion.pieces:
                if piece.stored is not None:
                    piece = replace(
                        piece, raw=bytes(Document.objects.values_list("raw", flat=True).get(pk=piece.stored))
                    )
                result = store_piece(piece, user, allowance.inline_max(), parser, force)
                allowance.spent(result, len(piece.raw))
                reports.append(file_report(piece.name, result))
                if piece.whole:
                    reports[-1].update(status="kept", status_label=STATUS_LABELS["kept"])
            reports.extend(skipped_report(label, reason) for label, reason in expansion.skipped)
    return reports


def store_piece(piece: Piece, user, inline_max: int, parser=None, force: bool = False) -> LoadResult:
    if not piece.refusal:
        return ingest_bytes(piece.raw, piece.name, user, inline_max=inline_max, parser=parser, force=force)
    # A refused zip is still kept (nothing uploaded is lost) and failed with its reason.
    document, created = store_upload(piece.raw, piece.name, user)
    if document.status != Document.Status.FAILED or document.error != piece.refusal:
        Document.objects.filter(pk=document.pk).update(
            status=Document.Status.FAILED, error=piece.refusal, report={"error": piece.refusal}
        )
    remember_name(document)
    return LoadResult(document.pk, "failed", created, message=piece.refusal)


STATUS_LABELS = {
    "ingested": "已入库（ingested）",
    "unchanged": "已在档案中（already in the archive）",
    "queued": "已排队（queued）",
    "failed": "失败（failed）",
    "skipped": "已跳过（skipped）",
    "kept": "原样保存，其中有文件未入库（zip kept）",
}


def file_report(name: str, result: LoadResult) -> dict:
    """What the admin reads about one file: counts, repairs, warnings and the new speeches."""
    document = Document.objects.defer("raw").get(pk=result.document_id)
    report = document.report or {}
    speeches = list(document.speeches.select_related("duplicate_of").order_by("ordinal")) if result.ok else []
    return {
        "name": name,
        "status": result.status,
        "status_label": STATUS_LABELS[result.status],
        "message": result.message,
        "document": document,
        "speech_count": len(speeches),
        "duplicates": sum(1 for s in speeches if s.duplicate_of_id),
        "encoding": document.encoding,
        "repairs": repairs_of(report),
        # A failure's reason is its message; not said again among the warnings.
        "warnings": [warning for warning in warnings_of(report) if warning != result.message],
        "speeches": speeches,
        # The rows are in; only the search index lags (the worker or check_index --fix catches up).
        "index_pending": document.error if document.error.startswith(PENDING_MARK) else "",
    }


def skipped_report(name: str, reason: str) -> dict:
    return {
        "name": name,
        "status": "skipped",
        "status_label": STATUS_LABELS["skipped"],
        "message": reason,
        "document": None,
        "speech_count": 0,
        "duplicates": 0,
        "encoding": "",
        "repairs": [],
        "warnings": [],
        "speeches": [],
        "index_pending": "",
    }


# The pipeline's steps and counts (speeches/ingest, StepReport) as an admin reads them.
STEP_NAMES = {
    "decode": "解码",
    "markup": "网页标记",
    "pinyin": "拼音注音",
    "mojibake": "乱码",
    "script": "繁简转换",
    "clean": "网站杂质",
    "split": "分篇",
}
COUNT_LABELS = {
    "replaced_bytes": "无法解码的字节 {} 个，以〓标出",
    "legacy_lines": "按 GB18030（GBK）解码的行 {} 行",
    "realigned": "缺一个字节、其后文字重新对齐 {} 处",
    "tags_removed": "去除标签 {} 个",
    "entities_unescaped": "还原实体 {} 个",
    "annotations_removed": "去除注音 {} 处",
    "runs_found": "发现乱码 {} 段",
    "runs_repaired": "修复 {} 段",
    "runs_marked": "无法确定、以〓标出 {} 段",
    "question_marks_kept": "保留原有问号 {} 个",
    "title_dots_restored": "恢复标题间隔号 {} 个",
    "undecodable_marked": "无法解码、以〓标出 {} 处",
    "question_marks_marked": "不是问句的问号、以〓标出 {} 处",
    "characters_changed": "转为简体 {} 字",
    "editor-boilerplate": "去除编者套话 {} 行",
    "seo-spam": "去除推广词 {} 行",
    "breadcrumb": "去除导航 {} 行",
    "font-size": "去除字号按钮 {} 行",
    "author": "去除作者、来源行 {} 行",
    "list-scrap": "去除列表残片 {} 行",
    "pagination": "去除分页残片 {} 行",
    "link-word": "网站插入的链接词 {} 个",
    "sentences_rejoined": "接回被拆断的句子 {} 处",
    "speeches": "分出讲话 {} 篇",
    "sections": "小节 {} 个",
    "duplicates_within": "页内重复 {} 篇",
    "near_duplicates_within": "页内近似重复 {} 篇",
    "fragments": "过短的片段 {} 个",
    "preamble_lines": "页首文字 {} 行（不属任何一篇，不被检索）",
    "trailer_lines": "页尾文字 {} 行（不属任何一篇，不被检索）",
    "started_by_marker": "按篇目标记分篇 {} 处",
    "started_by_subtitle": "按标题行分篇 {} 处",
    "started_by_salutation": "按称呼语分篇 {} 处",
    "started_by_closing": "按结束语分篇 {} 处",
    "started_by_account": "按自述开头分篇 {} 处",
    "started_by_numbering-restart": "按序号重新开始分篇 {} 处",
    "started_by_fragment": "残篇 {} 篇",
}


def step_rows(report: dict) -> list[tuple[str, str]]:
    """Every step of the pipeline's report and what it did, in words, for the document's
    page: ("乱码", "发现乱码 26 段，修复 25 段"); a step that changed nothing says so."""
    return [
        (STEP_NAMES.get(step.get("step", ""), step.get("step", "")), "，".join(_counts_in_words(step)) or "无改动")
        for step in report.get("steps", [])
    ]


def repairs_of(report: dict) -> list[str]:
    """Non-zero counts of the pipeline's steps, in words: "乱码：发现乱码 26 段，修复 25 段"."""
    lines = []
    for step in report.get("steps", []):
        name = step.get("step")
        if name == "split":
            # Of the split, only the text left out of every speech (before the first, after
            # the site's footer): kept with the document, never searched, so the admin hears of it.
            kept = {key: step.get("counts", {}).get(key, 0) for key in ("preamble_lines", "trailer_lines")}
            step = {**step, "counts": kept}
        counts = _counts_in_words(step)
        if counts:
            lines.append(f"{STEP_NAMES.get(name, name)}：{'，'.join(counts)}")
    return lines


def _counts_in_words(step: dict) -> list[str]:
    """A step's non-zero counts, labelled, in COUNT_LABELS' order (PostgreSQL's jsonb keeps
    a report's keys in an order of its own)."""
    order = {key: n for n, key in enumerate(COUNT_LABELS)}
    counts = sorted(step.get("counts", {}).items(), key=lambda item: order.get(item[0], len(order)))
    return [
        COUNT_LABELS[key].format(value) if key in COUNT_LABELS else f"{key} {value}" for key, value in counts if value
    ]


def warnings_of(report: dict) -> list[str]:
    """The document's warnings and every step's (the decode step's: how many bytes of a
    damaged page were replaced, and on which lines)."""
    found = [w for step in report.get("steps", []) for w in step.get("warnings", [])]
    return list(dict.fromkeys([*report.get("warnings", []), *found]))
