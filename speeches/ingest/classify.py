"""Topics from a speech's content (never its title: 000's titles all say 森林防火)."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

TOPICS_FILE = Path(__file__).with_name("data") / "topics.json"
# A topic is assigned when its score, per thousand characters, reaches this.
MIN_SCORE = 1.5
MAX_TOPICS = 3


@dataclass(frozen=True)
class TopicDef:
    slug: str
    name: str
    keywords: tuple[tuple[str, float], ...]


@lru_cache(maxsize=1)
def load_topics() -> tuple[TopicDef, ...]:
    data = json.loads(TOPICS_FILE.read_text(encoding="utf-8"))
    return tuple(TopicDef(t["slug"], t["name"], tuple(t["keywords"].items())) for t in data)


def score_topics(text: str) -> list[tuple[str, float]]:
    """(slug, score) best first; score is weighted keyword hits per 1,000 characters, damped."""
    length = max(len(text), 200)
    scored = []
    for topic in load_topics():
        hits = sum(weight * text.count(word) for word, weight in topic.keywords)
        if hits:
            scored.append((topic.slug, round(math.sqrt(hits) * 1000 / math.sqrt(length) / 10, 3)))
    scored.sort(key=lambda item: item[1], reverse=True)
    return scored


def classify(text: str) -> tuple[tuple[str, float], ...]:
    scored = score_topics(text)
    if not scored:
        return ()
    best = scored[0][1]
    kept = [(slug, score) for slug, score in scored if score >= MIN_SCORE and score >= best * 0.5]
    return tuple(kept[:MAX_TOPICS]) or (scored[0],)
