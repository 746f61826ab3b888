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
blog posts from feeds) are ``other``, and so is a post that is only a title and does not ask:
a link shared on Hacker News or Reddit, whose title is the linked page's headline ("Acme
Helpdesk introduces a free plan" shares news; it does not praise).

Three more rules keep the head honest where its training data (noisy app-review labels) leads
it astray on forum posts and B2B reviews:
- a feature request must ask for something (``REQUEST_CUE``: "wish it had", "please add",
  "would be great if", "no way to"...); without such words the next class wins;
- a bug report must name trouble: a text read positive (or a question read neutral) with no
  contrast ("but", "until"), no trouble word ("crash", "won't", "not") and no failure the
  problem rule knows is not one (``reports_trouble``: "Two incidents this year, both fixed
  within the hour", "Can Zenlytics mask card numbers automatically?");
- praise, complaint and other are one opinion class whose polarity is the mention's: the stars
  a reviewer gave (4-5 praise, 1-2 complaint, 3 other), else the text's sentiment as the
  sentiment stage stores it (a stated problem reads negative there), where praise needs a
  confident positive reading (``groundswell.community.positive``: the score that advocates and
  defences need; below it a positive reading is ``other``). The head's praise/complaint split
  was learnt from star ratings in the first place (see the model card).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

import numpy as np

from groundswell.community.interactions import is_staff
from groundswell.community.positive import CONFIDENT_POSITIVE
from groundswell.config import account_names
from groundswell.models import ARTIFACTS
from groundswell.models.sentiment import SentimentResult, sentiment_result
from groundswell.tagging.problem_cues import CONTRAST, problem_sentences

INTENT_DIR = ARTIFACTS / "intent"
HEAD_FILE = "head.npz"
INFO_FILE = "intent.json"
INTENTS = ("feature_request", "bug_report", "question", "praise", "complaint", "other")
KEEPS_QUESTION = ("feature_request", "bug_report")  # intents a question mark does not override
OPINIONS = {"positive": "praise", "negative": "complaint", "neutral": "other"}
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


REQUEST_CUE = re.compile(
    r"\b(?:wish(?:es|ed)?\b|(?:would|i'?d) (?:love|like|prefer|want)\b"
    r"(?! to (?:know|ask|understand|hear|learn|find out|check))|"
    r"(?:would|could|will) be (?:great|nice|good|awesome|helpful|useful|better) (?:if|to)\b|"
    r"it'?d be (?:great|nice|good|awesome|helpful|useful)\b|please (?:add|make|bring|include|"
    r"support|allow|let|consider|give|implement|fix)\b|feature request|(?:any|no) plans? (?:to|for)\b|"
    r"(?:are|is) there (?:any )?plans?\b|roadmap|hope (?:you|they) (?:will |can )?(?:add|bring|"
    r"make|support)|if only\b|(?:is|are) missing\b|missing (?:a|an|the|feature|option)\b|"
    r"lacks?\b|lacking\b|(?:we|i) (?:still |really )?miss\b|"
    r"no (?:way|option|setting|ability) to\b|(?:should|could|can) "
    r"(?:you |they |we )?(?:add|have|support|offer|allow|let)\b|needs? (?:a|an|the)? ?(?:option|"
    r"way|ability|setting|feature)\b|want(?:ed)? to be able to|(?:add|adding) (?:a|an|the)? "
    r"?(?:option|ability|setting|feature|support for)\b|(?:^|[.!?]\s+)support for\b|"
    r"(?:needs?|wants?|no|native|proper|better|full) support for\b|doesn'?t (?:have|support)|"
    r"does not (?:have|support)|(?:don'?t|do not) (?:have|support))",
    re.IGNORECASE,
)


def asks_for_something(mention: dict) -> bool:
    """Words that ask for a change or name something missing: what a feature request needs."""
    return any(REQUEST_CUE.search(mention.get(key) or "") for key in ("title", "body"))


# How sure the head must be of a feature request to waive the cue for a rated review: chosen on
# out-of-fold probabilities of the fit part (F0.5 of feature requests 0.324 with the cue
# required, 0.383 at 0.5, 0.369 at 0.7; the intent model card)
SURE_REQUEST = 0.5


def waives_the_cue(mention: dict, request_probability: float, reading: SentimentResult) -> bool:
    """A review with stars (app-store and review-site text, what the head was fitted on) that
    the head is sure asks for a feature and that is not read positive: app reviews ask in
    words the cue does not know ("Needs update", "Add simple photo function"). Not a forum
    post: there the head's feature class took bug reports, questions and answers for requests
    (the intent model card)."""
    return (
        mention.get("rating") is not None
        and reading.label != "positive"
        and request_probability >= SURE_REQUEST
    )


# Words that name trouble (besides a contrast, which turns from praise to it: "Great app, but
# it won't open").
TROUBLE = re.compile(
    r"\b(?:bugs?|buggy|crash\w*|problems?|issues?|errors?|glitch\w*|won'?t|can'?t|cannot|unable|"
    r"doesn'?t|does not|not|no longer|fail(?:s|ed)?|stuck)\b",
    re.IGNORECASE,
)


def reports_trouble(mention: dict, reading: SentimentResult, question: bool = False) -> bool:
    """What a bug report needs: the text is read negative, or neutral and not a ``question``,
    or it names trouble (a contrast, a word in ``TROUBLE``, or a failure the sentiment stage's
    problem rule knows). "Two incidents this year, both fixed within the hour" reports none, nor
    does "Can Zenlytics mask card numbers automatically?"."""
    if reading.label == "negative" or (reading.label == "neutral" and not question):
        return True
    text = " ".join(mention.get(key) or "" for key in ("title", "body"))
    return bool(CONTRAST.search(text) or TROUBLE.search(text) or problem_sentences(text))


def opinion_polarity(mention: dict, reading: SentimentResult) -> str:
    """positive, negative or neutral: the stars the reviewer gave, else the text's sentiment as
    the sentiment stage reads it (``reading``), positive only when confident."""
    rating = mention.get("rating")
    if rating is not None:
        return "positive" if rating >= 4 else "negative" if rating <= 2 else "neutral"
    if reading.label == "positive" and reading.score < CONFIDENT_POSITIVE:
        return "neutral"
    return reading.label


def shares_a_link(mention: dict) -> bool:
    """An article, or a post with a title and no text that does not ask (a shared link)."""
    if mention.get("kind") == "article":
        return True
    no_text = not (mention.get("body") or "").strip()
    return mention.get("kind") == "post" and no_text and not asks(mention)


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
           thresholds: dict[str, float] | None = None, how_to: bool = False,
           requests: bool = True, polarity: str | None = None,
           trouble: bool = True) -> tuple[str, float]:  # fmt: skip
    """The intent and its confidence from the head's probabilities (a class below its
    threshold gives way to the next), the question rules, and the rules above: no feature
    request without ``requests`` (words asking for something), no bug report without
    ``trouble`` (``reports_trouble``), and with a ``polarity`` an opinion takes the
    mention's own polarity."""
    ruled_out = [c for c, allowed in (("feature_request", requests), ("bug_report", trouble))
                 if not allowed and c in classes]  # fmt: skip
    if ruled_out:
        probabilities = probabilities.copy()
        probabilities[[classes.index(c) for c in ruled_out]] = 0.0
    best = best_class(classes, probabilities, thresholds)
    label = classes[best]
    if how_to or (question and label not in KEEPS_QUESTION):
        kept = sum(probabilities[classes.index(c)] for c in KEEPS_QUESTION if c in classes)
        return "question", round(float(1.0 - kept), 4)
    if polarity and label in OPINIONS.values():
        opinion = sum(probabilities[classes.index(c)] for c in OPINIONS.values() if c in classes)
        return OPINIONS[polarity], round(float(opinion), 4)
    return label, round(float(probabilities[best]), 4)


def predict_intents(
    head: IntentHead,
    encoded: list,
    mentions: list[dict],
    sentiments: list | None = None,
    asked: list[bool] | None = None,
    vendors: Iterable[str] = (),
) -> list[tuple[str, float]]:
    """(intent, confidence) per mention, from its ``EncodedText`` and its text sentiment
    (``sentiments``, the sentiment stage's; by default the pass's own reading); ``asked``:
    ``asks`` of each mention, when the caller has it. A post by one of the ``vendors`` (the
    vendor's own support answering) is ``other``: not a customer's praise or request."""
    if not encoded:
        return []
    probabilities = head.probabilities(np.stack([intent_features(e) for e in encoded]))
    if sentiments is None:
        sentiments = [sentiment_result(e.sentiment_probabilities()) for e in encoded]
    if asked is None:
        asked = [asks(m) for m in mentions]
    vendors = account_names(vendors)
    request = head.classes.index("feature_request")
    return [
        ("other", 1.0) if not_a_customer_voice(m, vendors) else
        decide(head.classes, p, question, head.thresholds, asks_how(m),
               asks_for_something(m) or waives_the_cue(m, p[request], reading),
               opinion_polarity(m, reading), reports_trouble(m, reading, question))
        for p, m, reading, question in zip(probabilities, mentions, sentiments, asked, strict=True)
    ]  # fmt: skip


def not_a_customer_voice(mention: dict, vendors: Iterable[str]) -> bool:
    """A shared link, or a post by one of the ``vendors``' own accounts: intent ``other``."""
    return shares_a_link(mention) or is_staff(mention.get("author"), vendor_accounts=vendors)


def unread_intent(mention: dict, asked: bool, vendors: Iterable[str] = ()) -> tuple:
    """The intent of a text in a language the models do not read: only what its form and
    author say (it asks: ``question``; a link or the vendor's own post: ``other``), else
    ``(None, None)`` rather than the English head's guess."""
    if not_a_customer_voice(mention, account_names(vendors)):
        return "other", 1.0
    return ("question", 1.0) if asked else (None, None)
