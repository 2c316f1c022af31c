"""The top keywords of a speech: jieba TF-IDF over a sample of the speech.

jieba segments only ≈250k characters a second here (the route search of
segmenter.py, which keywords use, about twice that), and the whole pipeline must
run at ≥ 2 MB/s, so keywords are drawn from a sample that carries a speech's
subject: its section headings and the first sentence of each paragraph, up to
`SAMPLE_CHARS`. Copies take their canonical speech's keywords (see pipeline.py).
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from functools import lru_cache
from pathlib import Path

SAMPLE_CHARS = 800
TOP_K = 8
# Words every speech uses: they would top every list and tell a reader nothing.
STOP_WORDS = frozenset(
    """
    同志们 同志 我们 你们 大家 各位 工作 要求 进一步 切实 认真 加强 推进 推动 全面 深入
    坚持 重要 重点 提高 提升 做好 抓好 落实 开展 实施 建设 发展 问题 情况 方面 今年
    去年 明年 当前 目前 今天 会议 讲话 精神 意见 全市 全县 全区 全省 全镇 市委 县委
    区委 市政府 县政府 区政府 党委 政府 各级 部门 单位 有关 相关 领导 一是 二是 三是
    四是 五是 一要 二要 三要 四要 第一 第二 第三 第四 进行 通过 不断 积极 主动 确保
    充分 努力 继续 更加 不仅 而且 同时 以及 因此 这个 一个 一些 这些 没有 已经 能够
    必须 需要 就是 还是 可以 取得 成绩 下面 刚才 我市 我县 我区 我省 工作会议 xx
    一年 今后 机制 体系 水平 能力 作用 意识 责任 措施 任务 目标 组织 重视 实际
    全国 显著 下功夫 强化 突出 到位 完善 加快 创新 思想 贯彻落实 习近平 认清形势
    提高认识 充分认识 增强 管理 服务 群众 社会 重大 狠抓 扎实 力度 关键 保障 不够
    全面落实 切实加强 高度重视 务必 紧紧围绕 明确 强调 部署 统筹 有力 有序 政治
    """.split()
)
_SENTENCE_END = re.compile(r"[。！？!?；;]")


def speech_sample(paragraphs: tuple[str, ...], headings: tuple[str, ...]) -> str:
    """Headings first, then each paragraph's first sentence, within SAMPLE_CHARS."""
    parts = [h for h in headings if h]
    parts += [_SENTENCE_END.split(p, maxsplit=1)[0] for p in paragraphs]
    out, size = [], 0
    for part in parts:
        if size + len(part) > SAMPLE_CHARS:
            break
        out.append(part)
        size += len(part)
    return "\n".join(out)


@lru_cache(maxsize=1)
def load_idf() -> tuple[dict[str, float], float]:
    """jieba's IDF table, loaded once per process (with the segmenter's dictionary).

    Read from the file jieba ships rather than through `jieba.analyse`: importing that
    builds two TF-IDF tables and the part-of-speech tagger, ≈2 s of start-up that every
    worker of `parse_many` would pay for a table we read once."""
    import jieba

    from .segmenter import initialized_tokenizer

    jieba.setLogLevel(logging.WARNING)
    initialized_tokenizer()
    table: dict[str, float] = {}
    for line in _idf_file().read_text(encoding="utf-8").splitlines():
        word, freq = line.strip().split(" ")
        table[word] = float(freq)
    # jieba's own median: the upper middle value.
    return table, sorted(table.values())[len(table) // 2]


def _idf_file() -> Path:
    import jieba

    return Path(jieba.__file__).with_name("analyse") / "idf.txt"


def extract_keywords(sample: str, top_k: int = TOP_K) -> tuple[str, ...]:
    """The words of highest TF-IDF in the sample, stop words left out."""
    if not sample.strip():
        return ()
    from .segmenter import default_segmenter

    idf, median = load_idf()
    # The words jieba.cut(sample, HMM=False) gives, by a faster route search (segmenter.py).
    counts = Counter(
        word for word in default_segmenter().dictionary_words(sample) if word not in STOP_WORDS and _is_han(word)
    )
    scored = sorted(counts.items(), key=lambda item: (-item[1] * idf.get(item[0], median), item[0]))
    chosen: list[str] = []
    for word, _ in scored:
        # "城市" and "文明" say nothing "文明城市" has not said already.
        if not any(word in longer or longer in word for longer in chosen):
            chosen.append(word)
        if len(chosen) == top_k:
            break
    return tuple(chosen)


def _is_han(word: str) -> bool:
    return all("\u4e00" <= ch <= "\u9fff" for ch in word)
