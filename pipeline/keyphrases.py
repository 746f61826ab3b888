"""Keyphrases per text for tag clouds: YAKE, filtered to noun-ish, lowercase, diverse phrases.

``extract_keyphrases(texts, top_n=5)`` gives, for each text, up to ``top_n`` ``(phrase, score)``
pairs, best first, score in 0..1 (higher = more relevant). YAKE was chosen over a KeyBERT-style
ranker (n-gram candidates ranked by similarity to the document embedding, with MMR) after
measuring both on real reviews: similar quality, YAKE is far faster (no embeddings).
"""

from __future__ import annotations

import re
from functools import lru_cache

MAX_WORDS = 3
CANDIDATES_PER_PHRASE = 4  # YAKE candidates read per phrase asked for (filters drop some)
DEDUP_LIMIT = 0.7  # YAKE's own near-duplicate limit
YAKE_SCALE = 0.1  # a YAKE score (lower = better) s becomes 1 / (1 + s / YAKE_SCALE)
MIN_CHARS = 3
# Stopwords allowed inside a phrase ("value for money", "ease of use"), never at its ends.
INNER_WORDS = frozenset({"of", "for", "to", "and", "in", "on", "with", "&"})

_TOKEN = re.compile(r"[^\W_]+(?:['’.-][^\W_]+)*|&", re.UNICODE)
_NUMBER = re.compile(r"^[\d.,:/%-]+$")
_URLISH = re.compile(r"https?://|www\.|@\w|\.com\b")


@lru_cache(maxsize=8)
def yake_extractor(top: int):
    import yake

    return yake.KeywordExtractor(lan="en", n=MAX_WORDS, top=top, dedup_lim=DEDUP_LIMIT)


@lru_cache(maxsize=1)
def stopwords() -> frozenset[str]:
    return frozenset(w.lower() for w in yake_extractor(1).stopword_set)


def clean_phrase(phrase: str) -> str | None:
    """Lowercase ``phrase`` as space-joined tokens, or None if it is no keyphrase: numeric,
    stopword-only, a stopword at either end or a verb-ish one inside, a link or a handle."""
    if _URLISH.search(phrase):
        return None
    tokens = _TOKEN.findall(phrase.lower())
    if not tokens:
        return None
    stop = stopwords()
    if tokens[0] in stop or tokens[-1] in stop or tokens[-1].endswith("ly"):
        return None
    if any(t in stop and t not in INNER_WORDS for t in tokens[1:-1]):
        return None
    if all(t in stop or _NUMBER.match(t) for t in tokens):
        return None
    text = " ".join(tokens)
    return text if len(text) >= MIN_CHARS else None


def relevance(yake_score: float) -> float:
    """YAKE's score (0 = best, unbounded) as 0..1, higher = more relevant."""
    return round(1.0 / (1.0 + max(yake_score, 0.0) / YAKE_SCALE), 4)


def overlaps(tokens: frozenset[str], chosen: list[frozenset[str]]) -> bool:
    """True if the phrase's words are within, or contain, those of a phrase already chosen."""
    return any(tokens <= c or c <= tokens for c in chosen)


def keyphrases_of(text: str, top_n: int = 5) -> list[tuple[str, float]]:
    if not text or not text.strip() or top_n <= 0:
        return []
    candidates = yake_extractor(top_n * CANDIDATES_PER_PHRASE).extract_keywords(text)
    phrases: list[tuple[str, float]] = []
    chosen: list[frozenset[str]] = []
    for phrase, score in candidates:
        cleaned = clean_phrase(phrase)
        if cleaned is None:
            continue
        tokens = frozenset(cleaned.split())
        if overlaps(tokens, chosen):
            continue
        chosen.append(tokens)
        phrases.append((cleaned, relevance(float(score))))
        if len(phrases) == top_n:
            break
    return phrases


def extract_keyphrases(texts: list[str], top_n: int = 5) -> list[list[tuple[str, float]]]:
    """For each text, up to ``top_n`` (lowercase phrase, score 0..1) pairs, best first."""
    return [keyphrases_of(text, top_n) for text in texts]
