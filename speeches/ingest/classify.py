"""Topics from a speech's content; the page's title only where the content bears it out.

000 titles all 19 speeches "在全市森林防火工作推进会上的讲话", but its first is about
全国文明城市创建: the title is a label the site put on the collection. A title
counts (as a small prior) only when the content scores its topic too.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

TOPICS_FILE = Path(__file__).with_name("data") / "topics.json"
# A secondary topic is kept when it reaches this share of the primary's score …
SECONDARY_SHARE = 0.5
# … and this absolute score (weighted keyword hits per 1,000 characters).
MIN_SCORE = 1.0
MAX_TOPICS = 3
# Headings say what a speech is about more than its prose: their hits count this much more.
HEADING_WEIGHT = 3
# A trusted title's topic gets this much added to its score.
TITLE_PRIOR = 0.15


@dataclass(frozen=True)
class TopicDef:
    slug: str
    name: str
    keywords: tuple[tuple[str, float], ...]


@lru_cache(maxsize=1)
def load_topics() -> tuple[TopicDef, ...]:
    data = json.loads(TOPICS_FILE.read_text(encoding="utf-8"))
    return tuple(TopicDef(t["slug"], t["name"], tuple(t["keywords"].items())) for t in data)


@lru_cache(maxsize=1)
def keyword_pattern() -> re.Pattern:
    """All topics' keywords in one pattern, longest first, so one pass over a text finds
    them all, and a keyword inside a longer one ("教育" in "教育信息化") counts once, for
    the longer, more specific one."""
    return re.compile(longest_first({word for topic in load_topics() for word, _ in topic.keywords}))


def longest_first(words: set[str]) -> str:
    """A pattern matching, at each position, the longest of `words` found there (as
    "|".join of them sorted longest first would), written as a trie: "教育(?:信息化)?".
    `re` then tries a handful of branches per position instead of every word (≈1.5×)."""
    trie: dict = {}
    for word in words:
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}  # a word ends here
    return _trie_pattern(trie)


def _trie_pattern(node: dict) -> str:
    branches = [re.escape(char) + _trie_pattern(child) for char, child in sorted(node.items()) if char]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    # Greedy: the longer words through this node are tried before the one ending here.
    return f"(?:{body})?" if "" in node else body


def count_keywords(text: str) -> Counter[str]:
    return Counter(keyword_pattern().findall(text)) if text else Counter()


def score_topics(text: str, headings: str = "") -> list[tuple[str, float]]:
    """(slug, score) best first; score is weighted keyword hits per 1,000 characters."""
    counts = count_keywords(text)
    for word, n in count_keywords(headings).items():
        counts[word] += (HEADING_WEIGHT - 1) * n
    per_thousand = 1000 / max(len(text), 500)
    scored = []
    for topic in load_topics():
        hits = sum(weight * counts[word] for word, weight in topic.keywords if word in counts)
        if hits:
            scored.append((topic.slug, round(hits * per_thousand, 3)))
    scored.sort(key=lambda item: (-item[1], item[0]))
    return scored


def title_topic(title: str) -> str:
    """The topic a title names, or "" ("在信息工作会议上的讲话稿" → informatization)."""
    scored = score_topics(title)
    return scored[0][0] if scored else ""


def title_matches(title: str, scored: list[tuple[str, float]]) -> bool:
    """A title that names no topic is neutral; one that does must name the content's
    primary topic or one scoring at least half as much (001 篇十四, one sentence on
    农业生产 that mentions 疫情 once, does not bear out a 疫情防控 title)."""
    named = title_topic(title)
    if not named:
        return True
    best = scored[0][1] if scored else 0.0
    return any(slug == named and score >= best * SECONDARY_SHARE for slug, score in scored)


def classify(text: str, headings: str = "", title: str = "") -> tuple[tuple[str, float], ...]:
    """Up to MAX_TOPICS (slug, score), primary first. A trusted title nudges its topic."""
    scored = score_topics(text, headings)
    return pick_topics(scored, title if title_matches(title, scored) else "")


def pick_topics(scored: list[tuple[str, float]], trusted_title: str = "") -> tuple[tuple[str, float], ...]:
    if not scored:
        return ()
    named = title_topic(trusted_title) if trusted_title else ""
    if named:
        scored = sorted(
            ((slug, round(score * (1 + TITLE_PRIOR), 3) if slug == named else score) for slug, score in scored),
            key=lambda item: (-item[1], item[0]),
        )
    best = scored[0][1]
    kept = [(slug, score) for slug, score in scored if score >= MIN_SCORE and score >= best * SECONDARY_SHARE]
    return tuple(kept[:MAX_TOPICS]) or (scored[0],)


def confidence(score: float) -> float:
    """A 0–1 reading of a score for display: 1 keyword hit per 1,000 characters ≈ 0.1."""
    return round(1 - math.exp(-score / 10), 3)
