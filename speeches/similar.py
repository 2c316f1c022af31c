"""Similar speeches for the speech page: shared topics and keywords, from the database.

Why not haystack's More Like This: Whoosh answers it only from stored term vectors,
and our backend (speeches/search/whoosh/backend.py) deliberately stores no texts, so MLT would
need a bigger index and a change to search glue this module does not own. Topics
and keywords are already in the database, cost one query, and work the same on
SQLite and PostgreSQL.
"""

from __future__ import annotations

from django.db.models import Count, Q

from .models import Speech

# How many speeches sharing a topic are scored in Python; the rest are less alike.
CANDIDATES = 200
KEYWORD_WEIGHT = 2.0


def similar_speeches(speech: Speech, limit: int = 5) -> list[Speech]:
    """Canonical speeches that share topics and keywords with this one, most alike first.
    Copies of this speech are left out: they are listed under "also appears in"."""
    topic_ids = [t.pk for t in speech.topics.all()]
    if not topic_ids and not speech.keywords:
        return []
    candidates = (
        Speech.objects.canonical()
        .exclude(pk=speech.pk)
        .exclude(pk=speech.duplicate_of_id or 0)
        .exclude(fingerprint=speech.fingerprint)
        .filter(topics__in=topic_ids)
        .annotate(shared_topics=Count("topics", filter=Q(topics__in=topic_ids)))
        .order_by("-shared_topics", "document_id", "ordinal")
        .with_document()[:CANDIDATES]
    )
    words = set(speech.keywords)
    scored = [(c.shared_topics + KEYWORD_WEIGHT * len(words & set(c.keywords)), c) for c in candidates]
    scored.sort(key=lambda pair: -pair[0])  # stable: ties keep the collection order
    return [candidate for score, candidate in scored[:limit] if score > 0]
