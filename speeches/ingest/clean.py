"""Junk lines: site chrome, SEO spam, pagination scraps, link words; and the sentences they broke.

Rules work on restored (simplified) text, so each pattern is written once.
"""

from __future__ import annotations

import re
from dataclasses import replace

from .types import Line, StepReport

# Each rule names the seed excerpt that forced it.
_CHROME_RULES: tuple[tuple[str, re.Pattern], ...] = (
    # 004: "首页>讲话稿>在城管工作会议上的讲话稿(精选20篇)"
    ("breadcrumb", re.compile(r"^首页\s*[>＞›»]")),
    # 001: "字號:" alone on a line
    ("font-size", re.compile(r"^字号[:：]?\s*(大|中|小|\s)*$")),
    # 004: "作者:BW笔侠 在城管工作会议上的讲话稿(精选20篇)"
    ("author", re.compile(r"^(作者|来源|发布时间|时间|编辑)[:：]")),
    # 000/002/003/004: "下面是小编为大家整理的…", "…仅供参考"
    ("editor-boilerplate", re.compile(r"小编|仅供参考|供大家参考|希望(对|能给)?大家|范文网|文档网|以下是.{0,20}(整理|收集)")),
    # 000: "当前隐藏内容免费查看" glued to the start of a paragraph is handled in strip_inline_chrome
    # 003: "共" / "3" / "页,当前第。" / "1" / "页" broken over lines
    ("pagination", re.compile(r"^(共|页|頁|[0-9]{1,3}|页[,，]?\s*当前第[。.]?|当前第|上一页|下一页|[0-9]{1,3}\s*页)$")),
)

# 004: words from the site's link bar inserted as lone lines inside sentences
# ("…通报了20xx年外宣。" / "工作总结。" / "及20xx年外宣工作安排").
LINK_WORDS = frozenset(
    "教案 课件 工作报告 工作总结 总结 工作计划 计划 心得体会 演讲稿 讲话稿 发言稿 致辞 "
    "主持词 述职报告 自我鉴定 申请书 合同 散文 作文 说说 句子 个人简历 简历 思想汇报 "
    "实习报告 调研报告 自查报告 整改报告 对照检查材料 策划书 倡议书 承诺书 检讨书 "
    "读后感 观后感 祝福语 口号 标语 主题班会 手抄报 范文".split()
)

_INLINE_CHROME = (
    # 000: "當前隱藏內(nèi)容免費查看重點要…"
    re.compile(r"当前隐藏内容免费查看"),
)

_SENTENCE_END = "。！？!?；;：:…”」』）)"


def is_seo_spam(text: str) -> bool:
    """001's first line: comma-separated search phrases with no sentence in them."""
    parts = re.split(r"[,，]", text)
    return len(parts) >= 3 and not re.search(r"[。！？]", text) and all(len(p) <= 24 for p in parts)


def _junk_reason(line: Line, index: int) -> str:
    text = line.text.strip()
    if not text:
        return "blank"
    if index < 3 and is_seo_spam(text):
        return "seo-spam"
    for name, pattern in _CHROME_RULES:
        if pattern.search(text):
            return name
    if text.rstrip("。.") in LINK_WORDS:
        return "link-word"
    return ""


def clean_lines(lines: tuple[Line, ...]) -> tuple[tuple[Line, ...], StepReport]:
    counts: dict[str, int] = {}
    examples: list[str] = []
    out: list[Line] = []
    for index, line in enumerate(lines):
        text = line.text.strip()
        for pattern in _INLINE_CHROME:
            text = pattern.sub("", text)
        line = replace(line, text=text)
        reason = _junk_reason(line, index)
        if reason:
            if reason != "blank":
                counts[reason] = counts.get(reason, 0) + 1
                if len(examples) < 10:
                    examples.append(f"{reason}: {line.raw.strip()[:60]}")
            out.append(replace(line, text="", junk=reason))
        else:
            out.append(line)
    rejoined, joins = rejoin_broken_sentences(tuple(out))
    counts["sentences_rejoined"] = joins
    return rejoined, StepReport("clean", counts, tuple(examples))


def rejoin_broken_sentences(lines: tuple[Line, ...]) -> tuple[tuple[Line, ...], int]:
    """Where a link word was cut out of a sentence, join the two halves again.

    004: "…通报了20xx年外宣。" + [工作总结。] + "及20xx年外宣工作安排…" — the spurious
    "。" the site added before the link word goes too.
    """
    out: list[Line] = list(lines)
    joins = 0
    for i, line in enumerate(out):
        if line.junk != "link-word":
            continue
        prev = next((j for j in range(i - 1, -1, -1) if out[j].text), None)
        nxt = next((j for j in range(i + 1, len(out)) if out[j].text or out[j].junk not in ("", "blank")), None)
        if prev is None or nxt is None or not out[nxt].text:
            continue
        head, tail = out[prev].text, out[nxt].text
        if head.endswith("。") and not tail.startswith(("同志们", "一、")) and tail[0] not in "（(一二三四五六七八九十":
            head = head[:-1]
        word = line.raw.strip().rstrip("。.")
        if head.endswith("《") or head.endswith("《" + "政府"):
            head = head + word + "》"
        out[prev] = replace(out[prev], text=head + tail)
        out[nxt] = replace(out[nxt], text="", junk="joined")
        joins += 1
    return tuple(out), joins
