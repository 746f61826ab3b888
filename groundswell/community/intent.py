"""What a mention wants: feature request, bug report, question, praise, complaint or other.

A logistic-regression head (``groundswell/models/artifacts/intent/``, trained by
``training/train_intent.py``; see its model card) reads features of the shared model pass the
tagger already ran: the mean and the max of the text's token states and the text's sentiment
probabilities. It knows five classes (feature request, bug report, praise, complaint,
other); a class may need a minimum probability (``thresholds``, chosen on held-in folds: the
head over-calls feature requests otherwise). None of its training data labels questions, so ``question`` is a rule: a mention that
asks (the crawler's ``is_question``, kind ``question``, or the parsers' ``looks_like_question``
on its text) is a question unless the head calls it a feature request or a bug report ("Could
you add dark mode?" stays a feature request); one that opens asking for help ("How do I...",
"Where can we...") is a question whatever the head says. Articles (kind ``article``: news and
blog posts from feeds) are ``other``.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path

import numpy as np

from groundswell.models import ARTIFACTS

INTENT_DIR = ARTIFACTS / "intent"
HEAD_FILE = "head.npz"
INFO_FILE = "intent.json"
INTENTS = ("feature_request", "bug_report", "question", "praise", "complaint", "other")
KEEPS_QUESTION = ("feature_request", "bug_report")  # intents a question mark does not override
# intents whose embedding the community pass needs (experts, ideas)
VECTOR_INTENTS = ("feature_request", "question")


def intent_features(encoded) -> np.ndarray:
    """[mean token state, max token state (special tokens left out), sentiment probabilities]
    of one ``EncodedText``."""
    plain = encoded.states[~encoded.special]
    if not len(plain):
        plain = encoded.states
    return np.concatenate(
        [encoded.states.mean(0), plain.max(0), encoded.sentiment_probabilities()]
    ).astype(np.float32)


class IntentHead:
    """The trained head: standardise the features, then a multinomial logistic regression."""

    def __init__(self, classes: list[str], mean: np.ndarray, scale: np.ndarray,
                 coef: np.ndarray, intercept: np.ndarray, version: str,
                 thresholds: dict[str, float] | None = None) -> None:  # fmt: skip
        self.classes = classes
        self.mean, self.scale = mean, scale
        self.coef, self.intercept = coef, intercept
        self.version = version
        self.thresholds = thresholds or {}

    @classmethod
    def load(cls, directory: Path = INTENT_DIR) -> IntentHead:
        arrays = np.load(directory / HEAD_FILE)
        info = json.loads((directory / INFO_FILE).read_text(encoding="utf-8"))
        return cls([str(c) for c in arrays["classes"]], arrays["mean"], arrays["scale"],
                   arrays["coef"], arrays["intercept"], info["version"],
                   info.get("thresholds"))  # fmt: skip

    def probabilities(self, features: np.ndarray) -> np.ndarray:
        logits = ((features - self.mean) / self.scale) @ self.coef.T + self.intercept
        logits -= logits.max(axis=1, keepdims=True)
        exp = np.exp(logits)
        return exp / exp.sum(axis=1, keepdims=True)


@lru_cache(maxsize=1)
def load_intent_head() -> IntentHead:
    return IntentHead.load()


HOW_TO = re.compile(
    r"^\W*(?:(?:ask hn|question)\s*:\s*)?(how (?:do|can|should|would) (?:i|we|you)|how to|"
    r"where (?:do|can|should) (?:i|we)|what(?:'s| is) the best way)\b",
    re.IGNORECASE,
)


def asks_how(mention: dict) -> bool:
    """Help-seeking ("How do I...", "Where can we...") in the title or the text's start: a
    question whatever the head thinks."""
    return any(HOW_TO.match(mention.get(key) or "") for key in ("title", "body"))


def asks(mention: dict) -> bool:
    from groundswell.crawl.parsers.text import looks_like_question

    if mention.get("is_question") or mention.get("kind") == "question":
        return True
    return looks_like_question(mention.get("title"), mention.get("body"))


def best_class(classes: list[str], probabilities: np.ndarray,
               thresholds: dict[str, float] | None = None) -> int:  # fmt: skip
    """The most probable class whose probability reaches its threshold (none: the argmax)."""
    thresholds = thresholds or {}
    for index in np.argsort(-probabilities):
        if probabilities[index] >= thresholds.get(classes[index], 0.0):
            return int(index)
    return int(np.argmax(probabilities))


def decide(classes: list[str], probabilities: np.ndarray, question: bool,
           thresholds: dict[str, float] | None = None,
           how_to: bool = False) -> tuple[str, float]:  # fmt: skip
    """The intent and its confidence from the head's probabilities (a class below its
    threshold gives way to the next) and the question rules."""
    best = best_class(classes, probabilities, thresholds)
    label = classes[best]
    if how_to or (question and label not in KEEPS_QUESTION):
        kept = sum(probabilities[classes.index(c)] for c in KEEPS_QUESTION if c in classes)
        return "question", round(float(1.0 - kept), 4)
    return label, round(float(probabilities[best]), 4)


def predict_intents(
    head: IntentHead, encoded: list, mentions: list[dict]
) -> list[tuple[str, float]]:
    """(intent, confidence) per mention, from its ``EncodedText``."""
    if not encoded:
        return []
    probabilities = head.probabilities(np.stack([intent_features(e) for e in encoded]))
    return [
        decide(head.classes, p, asks(m), head.thresholds, asks_how(m))
        for p, m in zip(probabilities, mentions, strict=True)
    ]
