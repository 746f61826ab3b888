"""Topic tagging from a taxonomy: which topics a text talks about, and how it feels about each.

A taxonomy is a list of ``TopicConfig`` (name, description, keywords, examples); a config with
no ``[[topic]]`` gets ``DEFAULT_TOPICS``, a B2B software taxonomy. ``TopicTagger.tag(texts)``:

1. splits every text into segments: sentences, cut again at contrast words ("but",
   "however", ";"...) so "support was slow but the price is fair" gives two segments;
2. embeds all segments of the batch at once and scores each against each topic's prototype
   (the embeddings of its description and examples), adds a bonus where one of the topic's
   keywords occurs (matched on crude stems, so "crashes" matches "crash") and, for the default
   topics that have one, the vote of a small trained head (``groundswell/models/artifacts/topics/``, logistic
   regression on the same embeddings);
3. keeps a topic where a segment's score clears the topic's threshold (multi-label); a topic
   with a few example sentences has a head fitted on them instead (few-shot, when the config
   loads: ``groundswell/tagging/topic_heads.py``), whose probability decides;
4. asks the sentiment model once, for the topic-bearing segments of the whole batch: a topic's
   sentiment is that of the segments (clauses) that carry it (aspect sentiment).

A taxonomy may be two-level: a topic's ``attributes`` are topics named ``topic/attribute``
("food/prices"), and an attribute found implies its topic. A topic marked ``fallback`` is the
one a text gets when no other topic fits it ("other", SemEval's anecdotes/miscellaneous); with
examples, it is also found like any other topic.

Thresholds were calibrated on held-out data, see ``bench/topic_accuracy.py``.
"""

from __future__ import annotations

import logging
import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Protocol

import numpy as np

from groundswell.config import TopicConfig
from groundswell.models import ARTIFACTS
from groundswell.models.sentiment import sentiment_result
from groundswell.tagging.problem_cues import read_aspect_statements
from groundswell.tagging.text_spans import Span, pieces_between, sentence_spans, stripped_span

log = logging.getLogger(__name__)

# A segment's topic similarity is the cosine to the topic centroid blended with the best
# cosine to a single prototype sentence: SIMILARITY_CENTROID_WEIGHT * centroid + rest * best.
SIMILARITY_CENTROID_WEIGHT = 0.5
KEYWORD_BONUS = 0.5
HEAD_WEIGHT = 0.3  # a trained head adds HEAD_WEIGHT * (probability - 0.5)
HEADS_PATH = ARTIFACTS / "topics" / "heads.npz"
DEFAULT_THRESHOLD = 0.45
# The student's similarities run higher (``groundswell/models/student.py``): at 0.50 the restaurant taxonomy,
# uncalibrated, has the precision and recall (0.724 / 0.803) the plain encoder has at 0.45
# (0.725 / 0.802) on SemEval-2014 restaurants.
STUDENT_DEFAULT_THRESHOLD = 0.50
SCORE_STEEPNESS = 12.0  # logistic slope turning (similarity - threshold) into a 0..1 score
MAX_SEGMENTS_PER_TEXT = 40
MIN_SEGMENT_WORDS = 2
NEUTRAL = "neutral"


class TextEncoder(Protocol):
    def embed(self, texts: list[str]) -> np.ndarray: ...


class SentimentModel(Protocol):
    def predict(self, texts: list[str]) -> list: ...


@dataclass
class SegmentBatch:
    """A batch's segments: text, owning text, character span and (in context) embedding."""

    texts: list[str]
    owners: list[int]
    spans: list[tuple[int, int]]
    encoded: list | None = None  # the texts' EncodedText, when read in context
    vectors: np.ndarray | None = None  # (segments, dim), when read in context


@dataclass(frozen=True)
class TopicHit:
    name: str
    score: float  # 0..1; 0.5 is the topic's threshold
    sentiment: str | None  # negative / neutral / positive; None without a sentiment model


# --------------------------------------------------------------------------------------------
# The default taxonomy (B2B software)
# --------------------------------------------------------------------------------------------


def phrases(text: str) -> list[str]:
    """'a, b c, d' -> ['a', 'b c', 'd']."""
    return [p.strip() for p in text.split(",") if p.strip()]


DEFAULT_TOPICS: list[TopicConfig] = [
    TopicConfig(
        name="pricing",
        description="The price, cost, plans, billing, licensing and value for money of the "
        "product.",
        keywords=phrases(
            "price, pricing, priced, cost, costly, expensive, cheap, affordable, overpriced, "
            "pricey, subscription, billing, invoice, refund, fee, fees, license fee, licensing, "
            "value for money, worth the money, money, $, €, £, per seat, per user, discount, "
            "paid, pay, paying, purchase, purchased, free, for free, donate, donated, donation, "
            "premium, pro version, in app purchase, overcharged, paywall"
        ),
        examples=[
            "The pricing is fair for what you get.",
            "It is way too expensive for a small team.",
            "They raised the price of our subscription again at renewal.",
            "Good value for money compared to the competitors.",
            "We were billed twice and had to ask for a refund.",
            "The free plan is too limited, you have to pay for the pro version.",
            "Great free app with no ads, I donated to support the developer.",
        ],
    ),
    TopicConfig(
        name="support",
        description="Customer support and service: the support team, help desk tickets, "
        "response times and how helpful the staff are.",
        keywords=phrases(
            "customer service, customer support, tech support, technical support, support team, "
            "support staff, support ticket, support agent, support rep, the support, their "
            "support, support is, support was, support has been, helpdesk, help desk, agent, "
            "representative, rep, reps, tech, techs, technician, account manager, "
            "customer success, live chat, got back to, escalated, support line, hotline, "
            "warranty, repair, repaired, service center"
        ),
        examples=[
            "Customer support was quick and very helpful.",
            "I opened a ticket and nobody answered for a week.",
            "The support team solved our problem the same day.",
            "Their service reps are rude and clueless.",
            "Our account manager always gets back to us quickly.",
            "I emailed the developer and got a reply within hours.",
            "I called them twice and nobody could fix my problem.",
            "They refused to honour the warranty and the repair took weeks.",
        ],
    ),
    TopicConfig(
        name="usability",
        description="Ease of use, user interface and user experience: how intuitive, simple or "
        "confusing the product is to use.",
        keywords=phrases(
            "usability, easy to use, user friendly, intuitive, unintuitive, interface, ui, ux, "
            "navigation, navigate, clunky, confusing, cluttered, layout, hard to use, "
            "difficult to use, simple to use, ease of use, user experience, design, menu, menus, "
            "button, buttons, clicks, look and feel, easy, simple"
        ),
        examples=[
            "The interface is clean and intuitive.",
            "It is very easy to use, even for non technical people.",
            "The UI is cluttered and confusing.",
            "It takes too many clicks to do anything simple.",
            "Navigation between screens is awkward.",
            "I love the design, everything is where you expect it.",
        ],
    ),
    TopicConfig(
        name="performance",
        description="Speed and performance: how fast or slow the product is, loading times, "
        "lag, latency, responsiveness and resource usage.",
        keywords=phrases(
            "performance, slowness, sluggish, laggy, lag, lagging, latency, speed, snappy, "
            "responsive, unresponsive, load time, loading time, takes forever, memory usage, "
            "ram, cpu, battery drain, drains the battery, resource hog, lightweight, stutter, "
            "stutters, jerky, smoothly, slows down"
        ),
        examples=[
            "The app is really slow and laggy.",
            "Pages take forever to load.",
            "It is fast and responsive, even with large projects.",
            "Performance has improved a lot since the last update.",
            "It eats memory and drains the battery.",
            "Searching takes several seconds every time.",
        ],
    ),
    TopicConfig(
        name="reliability",
        description="Reliability and stability: crashes, bugs, errors, outages, downtime, data "
        "loss and features that stop working.",
        keywords=phrases(
            "crash, crashes, crashing, bug, bugs, buggy, glitch, glitchy, error, errors, outage, "
            "outages, downtime, freeze, freezes, frozen, broken, stopped working, doesn't work, "
            "does not work, not working, force close, force closes, unstable, stable, stability, "
            "reliable, unreliable, reliability, uptime, data loss, lost my data, fails, failed"
        ),
        examples=[
            "The app keeps crashing when I open it.",
            "It has been rock solid, no downtime in two years.",
            "After the last update nothing works anymore.",
            "Full of bugs and error messages.",
            "We lost data during an outage.",
            "It freezes and force closes every few minutes.",
        ],
    ),
    TopicConfig(
        name="integrations",
        description="Integrations with other tools: APIs, webhooks, plugins, connectors, sync, "
        "import and export with third party software.",
        keywords=phrases(
            "integration, integrations, integrates, integrate, api, apis, webhook, webhooks, "
            "zapier, slack, salesforce, hubspot, jira, github, google sheets, sync, syncs, "
            "syncing, connector, connectors, plugin, plugins, add on, add ons, third party, "
            "import, export"
        ),
        examples=[
            "It integrates nicely with Slack and Jira.",
            "The API is well designed and easy to work with.",
            "Syncing with our CRM breaks every other day.",
            "There is no way to export the data to a spreadsheet.",
            "We connected it to our other tools with webhooks.",
        ],
    ),
    TopicConfig(
        name="onboarding",
        description="Onboarding and setup: getting started, installation, configuration, "
        "migration, implementation and the learning curve for new users.",
        keywords=phrases(
            "onboarding, onboard, setup, set up, getting started, get started, implementation, "
            "migration, migrate, migrated, learning curve, training, install, installation, "
            "installed, configure, configuration, up and running, trial"
        ),
        examples=[
            "Setup took only ten minutes.",
            "The onboarding was smooth and the team trained our staff.",
            "Migrating our data from the old system was painful.",
            "There is a steep learning curve at the beginning.",
            "We were up and running in a day.",
        ],
    ),
    TopicConfig(
        name="documentation",
        description="Documentation and learning material: docs, manuals, guides, tutorials, "
        "help articles, knowledge base and examples.",
        keywords=phrases(
            "documentation, docs, documented, undocumented, manual, guide, guides, tutorial, "
            "tutorials, knowledge base, help center, help articles, faq, how to, readme, "
            "release notes, changelog, instructions, examples"
        ),
        examples=[
            "The documentation is thorough and well written.",
            "The docs are outdated and missing examples.",
            "I could not find any guide on how to configure it.",
            "Their knowledge base answered all my questions.",
            "There are no instructions for the advanced settings.",
        ],
    ),
    TopicConfig(
        name="security",
        description="Security and privacy: data protection, encryption, passwords, "
        "authentication, permissions, compliance and tracking of personal data.",
        keywords=phrases(
            "security, secure, insecure, privacy, private, encryption, encrypted, encrypt, "
            "password, passwords, 2fa, two factor, mfa, sso, single sign on, permission, "
            "permissions, access control, gdpr, soc 2, compliance, compliant, breach, hacked, "
            "vulnerability, malware, tracking, personal data, personal information, spyware, "
            "safe"
        ),
        examples=[
            "They take security seriously, with SSO and two factor authentication.",
            "End to end encryption keeps my messages private.",
            "The app asks for way too many permissions.",
            "I do not trust them with my personal data.",
            "Role based access control lets us limit who sees what.",
            "It is GDPR compliant, which mattered for our legal team.",
        ],
    ),
    TopicConfig(
        name="features",
        description="Features and functionality: what the product can and cannot do, missing "
        "features, feature requests, options and customization.",
        keywords=phrases(
            "feature, features, functionality, functionalities, capability, capabilities, "
            "missing, lacks, wish it had, would be nice, please add, feature request, option to, "
            "ability to, customization, customize, customizable, roadmap, reporting, automation, "
            "templates, widget, widgets, settings"
        ),
        examples=[
            "It has every feature we need.",
            "Please add an option to export reports.",
            "It lacks basic functionality like recurring tasks.",
            "The automation features save us hours every week.",
            "I wish it had a dark mode.",
            "You can customize almost everything.",
        ],
    ),
]

# Per-topic thresholds of the default taxonomy, calibrated (best F1) by bench/topic_accuracy.py
# on the calibration parts (30%) of the AUREA app reviews, SemEval-2015/16 laptop sentences and
# maalej app reviews taken together, then capped at MAX_THRESHOLD so that a keyword with a little
# similarity always counts (uncapped: pricing 0.799, security 0.805). "features" keeps
# DEFAULT_THRESHOLD (its only labels, maalej's, are feature requests), as do the topics without
# labelled data (integrations, onboarding, documentation).
MAX_THRESHOLD = 0.65
DEFAULT_TOPIC_THRESHOLDS: dict[str, float] = {
    "pricing": MAX_THRESHOLD,
    "performance": 0.558,
    "security": MAX_THRESHOLD,
    "usability": 0.503,
    "reliability": 0.367,
    "support": 0.396,
}
# The same calibration through the 4-layer student graph (``groundswell/models/student.py``, the tagger's
# default shared pass; ``minilm4-student-3``, uncapped: pricing 0.815, security 0.845): its
# similarities run higher for reliability and support.
STUDENT_TOPIC_THRESHOLDS: dict[str, float] = {
    "pricing": MAX_THRESHOLD,
    "performance": 0.596,
    "security": MAX_THRESHOLD,
    "usability": 0.52,
    "reliability": 0.475,
    "support": 0.478,
}


def is_student_space(encoder: TextEncoder) -> bool:
    return getattr(encoder, "embedding_space", "minilm") == "student"


def default_threshold(encoder: TextEncoder) -> float:
    """A topic's threshold when nothing calibrated one (custom taxonomies)."""
    return STUDENT_DEFAULT_THRESHOLD if is_student_space(encoder) else DEFAULT_THRESHOLD


def default_topic_thresholds(encoder: TextEncoder) -> dict[str, float]:
    """The default taxonomy's thresholds for the embedding space ``encoder`` gives: the
    student's, or the plain MiniLM's (the torch encoder and the joint graph)."""
    if is_student_space(encoder):
        return STUDENT_TOPIC_THRESHOLDS
    return DEFAULT_TOPIC_THRESHOLDS


def flatten_taxonomy(topics: Sequence[TopicConfig]) -> tuple[list[TopicConfig], dict[int, int]]:
    """Each topic followed by its attributes as topics of their own ("food/prices"), and the
    index of each attribute's parent."""
    flat: list[TopicConfig] = []
    parents: dict[int, int] = {}
    for topic in topics:
        parent = len(flat)
        flat.append(topic.model_copy(update={"attributes": []}))
        for attribute in topic.attributes:
            parents[len(flat)] = parent
            flat.append(attribute.model_copy(update={"name": f"{topic.name}/{attribute.name}"}))
    return flat, parents


# --------------------------------------------------------------------------------------------
# Segments: sentences cut at contrast words
# --------------------------------------------------------------------------------------------

# the contrast word that opens a clause ("but the price is fair") is read as a turn for the
# worse by a sentence-level model: the clause's sentiment is judged without it
_LEADING_CONTRAST = re.compile(
    r"^(?:but|however|although|though|whereas|except that|nevertheless|on the other hand)\b[,\s]*",
    re.IGNORECASE,
)
# "but not while/when/if ..." takes the clause before it back under a condition ("We love the
# features, but not while everything lags"): not a cut, the two are read together
_CONTRAST = re.compile(
    r"\s*(?:;|\s[-–—]\s|,?\s+(?=(?:but(?! not (?:while|when|if|with|until|as long as)\b)"
    r"|however|although|though|whereas|except that|nevertheless|on the other hand)\b))\s*",
    re.IGNORECASE,
)
_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?|[$€£¥]")


# a sentence that opens with a concession or an exception, up to its first comma: "While the
# ambiance was great, the food could have been better", "Other than being a bit overpriced, ..."
_CONCESSIVE_OPENING = re.compile(
    r"\s*(?:while|whilst|although|though|even though|whereas|granted|other than|apart from"
    r"|aside from|despite|in spite of)\b[^,;.!?]{2,120},",
    re.IGNORECASE,
)


def clause_spans(text: str, sentence: Span) -> list[Span]:
    """Cut a sentence after a concessive opening and before contrast words; a cut-off piece too
    short to stand alone is merged into the clause before it."""
    clauses: list[Span] = []
    for part in opening_spans(text, sentence):
        for start, end in pieces_between(_CONTRAST, text, *part):
            if clauses and len(_WORD.findall(text[start:end].lower())) < MIN_SEGMENT_WORDS:
                clauses[-1] = (clauses[-1][0], end)
            else:
                clauses.append((start, end))
    return clauses


def opening_spans(text: str, sentence: Span) -> list[Span]:
    """A sentence that opens with a concessive clause (``_CONCESSIVE_OPENING``) as that clause
    and the rest; any other sentence as itself."""
    start, end = sentence
    opening = _CONCESSIVE_OPENING.match(text, start, end)
    if not opening or opening.end() >= end:
        return [sentence]
    parts = [stripped_span(text, start, opening.end() - 1), stripped_span(text, opening.end(), end)]
    return [(a, b) for a, b in parts if b > a]


def without_leading_contrast(text: str, span: Span) -> Span:
    """``span`` less an opening contrast word ("but the price is fair" -> "the price is fair"),
    which a sentence-level sentiment model reads as a turn for the worse."""
    start, end = span
    match = _LEADING_CONTRAST.match(text[start:end])  # anchored with ^: match the slice
    return (start + match.end(), end) if match and start + match.end() < end else span


def segment_spans(text: str) -> list[Span]:
    """Where the segments topics are detected in lie (at most ``MAX_SEGMENTS_PER_TEXT``)."""
    spans = [c for s in sentence_spans(text) for c in clause_spans(text, s)]
    return spans[:MAX_SEGMENTS_PER_TEXT]


def split_segments(text: str) -> list[str]:
    """The segments topics are detected in: sentences cut at contrast words."""
    return [text[start:end] for start, end in segment_spans(text)]


def split_batch(texts: list[str]) -> tuple[list[str], list[int]]:
    """All segments of a batch, and the index of the text each came from."""
    segments, owners = [], []
    for index, text in enumerate(texts):
        for segment in split_segments(text):
            segments.append(segment)
            owners.append(index)
    return segments, owners


# --------------------------------------------------------------------------------------------
# Keywords, matched on crude stems
# --------------------------------------------------------------------------------------------

_SUFFIXES = ("ing", "ies", "ied", "es", "ed", "ly", "s", "e")
_DOUBLED = re.compile(r"([b-df-hj-km-np-rtv-z])\1$")  # a doubled consonant other than l, s


@lru_cache(maxsize=100_000)
def stem_word(word: str) -> str:
    """A crude stem for matching inflections: crashes/crashing/crashed -> crash,
    prices/priced/pricing -> pric. The same function runs on keywords and text."""
    word = word.lower().replace("'s", "")
    for suffix in _SUFFIXES:
        if suffix == "s" and word.endswith("ss"):
            break  # access, process, less
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)]
            if suffix in ("ies", "ied"):
                word += "y"
            elif suffix in ("ing", "ed") and _DOUBLED.search(word):
                word = word[:-1]  # setting -> sett -> set, stopped -> stopp -> stop
            break
    return word.removesuffix("e") if len(word) > 3 else word


def stemmed_text(text: str) -> str:
    """Space-separated stems with a space at each end, ready for ``" stem "`` lookups."""
    return " " + " ".join(stem_word(w) for w in _WORD.findall(text.lower())) + " "


def stemmed_keywords(keywords: Sequence[str]) -> tuple[str, ...]:
    stems = {stemmed_text(k) for k in keywords}
    return tuple(s for s in stems if s.strip())


def keyword_matrix(segments: list[str], keyword_stems: list[tuple[str, ...]]) -> np.ndarray:
    """1.0 where segment i contains a keyword of topic j."""
    matrix = np.zeros((len(segments), len(keyword_stems)), dtype=np.float32)
    patterns = [keyword_pattern(keywords) for keywords in keyword_stems]
    for i, segment in enumerate(segments):
        stems = stemmed_text(segment)
        for j, pattern in enumerate(patterns):
            if pattern is not None and pattern.search(stems):
                matrix[i, j] = 1.0
    return matrix


# a brand name after these is the subject of a verb ("Does Acme support SCIM?"), not "their"
AUXILIARY = (
    r"(?:does|do|did|can|could|will|would|should|to|doesn't|don't|didn't|won't|can't|cannot)"
)


def brand_pattern(brands: Sequence[str]) -> re.Pattern | None:
    """One regex finding any of the brand names (and their possessive), or None; group 1 is an
    auxiliary verb before it, when there is one."""
    names = sorted({b.strip() for b in brands if b.strip()}, key=len, reverse=True)
    if not names:
        return None
    alternatives = "|".join(re.escape(name) for name in names)
    return re.compile(rf"(?<!\w)({AUXILIARY}\s+)?(?:{alternatives})(?:['’]s)?(?!\w)", re.IGNORECASE)


def as_their(match: re.Match) -> str:
    """A brand's name as "their", unless a verb's auxiliary comes before it."""
    return match.group(0) if match.group(1) else "their"


@lru_cache(maxsize=256)
def keyword_pattern(keyword_stems: tuple[str, ...]) -> re.Pattern | None:
    """One regex finding any of a topic's ``" stem "`` strings (None: no keywords)."""
    if not keyword_stems:
        return None
    return re.compile("|".join(re.escape(k) for k in sorted(keyword_stems, key=len, reverse=True)))


# --------------------------------------------------------------------------------------------
# Prototypes and similarity
# --------------------------------------------------------------------------------------------


def prototype_texts(topic: TopicConfig) -> list[str]:
    texts = [topic.description] if topic.description else []
    texts += list(topic.examples)
    return texts or [topic.name.replace("_", " ")]


@dataclass
class Prototypes:
    """Each topic's normalised centroid and the rows of its prototype sentences."""

    centroids: np.ndarray  # (topics, dim)
    sentences: np.ndarray  # (prototype sentences, dim)
    owner: np.ndarray  # (prototype sentences,) topic index of each row


def build_prototypes(topics: Sequence[TopicConfig], encoder: TextEncoder) -> Prototypes:
    texts, owner = [], []
    for index, topic in enumerate(topics):
        for text in prototype_texts(topic):
            texts.append(text)
            owner.append(index)
    vectors = np.asarray(encoder.embed(texts), dtype=np.float32)
    owner_array = np.asarray(owner)
    centroids = np.stack([vectors[owner_array == i].mean(0) for i in range(len(topics))])
    centroids /= np.linalg.norm(centroids, axis=1, keepdims=True).clip(1e-9)
    return Prototypes(centroids, vectors, owner_array)


def similarity_matrix(
    vectors: np.ndarray, prototypes: Prototypes, centroid_weight: float
) -> np.ndarray:
    """(segments, topics): centroid cosine blended with the best single-prototype cosine."""
    to_centroid = vectors @ prototypes.centroids.T
    to_sentences = vectors @ prototypes.sentences.T
    best = np.full_like(to_centroid, -1.0)
    for topic in range(prototypes.centroids.shape[0]):
        best[:, topic] = to_sentences[:, prototypes.owner == topic].max(1)
    return centroid_weight * to_centroid + (1.0 - centroid_weight) * best


def logistic(value: float) -> float:
    return 1.0 / (1.0 + math.exp(-value))


# --------------------------------------------------------------------------------------------
# Trained heads (default taxonomy only)
# --------------------------------------------------------------------------------------------


@dataclass
class TopicHeads:
    """Logistic-regression heads on segment embeddings, one row per topic."""

    topics: list[str]
    coef: np.ndarray  # (heads, dim)
    intercept: np.ndarray  # (heads,)

    def probabilities(self, vectors: np.ndarray) -> np.ndarray:
        """(segments, heads) probability that the segment carries each head's topic."""
        return 1.0 / (1.0 + np.exp(-(vectors @ self.coef.T + self.intercept)))


def load_heads(path: Path = HEADS_PATH) -> TopicHeads | None:
    """The committed heads (``training/train_topics.py``), or None if the file is missing."""
    if not path.exists():
        log.warning("topic heads not found at %s; default topics run zero-shot", path)
        return None
    with np.load(path) as saved:
        topics = [str(t) for t in saved["topics"]]
        return TopicHeads(topics, saved["coef"].astype(np.float32), saved["intercept"])


@lru_cache(maxsize=1)
def default_heads() -> TopicHeads | None:
    return load_heads()


# --------------------------------------------------------------------------------------------
# Aspect sentiment
# --------------------------------------------------------------------------------------------


def combine_sentiments(labels: list[str], scores: list[float]) -> str:
    """One label for a topic carried by several segments: the majority, ties by mean score."""
    counts = Counter(labels).most_common()
    if len(counts) == 1 or counts[0][1] > counts[1][1]:
        return counts[0][0]
    mean = sum(scores) / len(scores)
    return "positive" if mean > 0.1 else "negative" if mean < -0.1 else NEUTRAL


# --------------------------------------------------------------------------------------------
# The tagger
# --------------------------------------------------------------------------------------------


class TopicTagger:
    """Multi-label topics with aspect sentiment for batches of texts."""

    def __init__(
        self,
        topics: Sequence[TopicConfig],
        encoder: TextEncoder,
        sentiment_model: SentimentModel | None = None,
        thresholds: dict[str, float] | None = None,
        heads: TopicHeads | None = None,
        keyword_bonus: float = KEYWORD_BONUS,
        centroid_weight: float = SIMILARITY_CENTROID_WEIGHT,
        few_shot: bool = True,
        problem_cues: bool = False,
        brands: Sequence[str] = (),
    ) -> None:
        if not topics:
            raise ValueError("a topic taxonomy needs at least one topic")
        self.topics, self.parents = flatten_taxonomy(topics)
        names = [t.name for t in self.topics]
        if len(set(names)) != len(names):
            raise ValueError(f"topic names must be unique: {names}")
        fallbacks = [i for i, t in enumerate(self.topics) if t.fallback]
        self.fallback = fallbacks[0] if fallbacks else None
        self.encoder = encoder
        self.sentiment_model = sentiment_model
        self.problem_cues = problem_cues  # a clause stating a failure reads negative
        self.keyword_bonus = keyword_bonus
        self.centroid_weight = centroid_weight
        known, fallback = thresholds or {}, default_threshold(encoder)
        self.thresholds = np.array([known.get(name, fallback) for name in names], np.float32)
        self.keyword_stems = [stemmed_keywords(t.keywords) for t in self.topics]
        self.brands = brand_pattern(brands)
        self.prototypes = build_prototypes(self.topics, encoder)
        self.heads = self.usable_heads(heads, names)
        self.head_columns = [names.index(t) for t in self.heads.topics] if self.heads else []
        self.few_shot = self.fit_few_shot() if few_shot else None

    def fit_few_shot(self):
        """Heads fitted on the taxonomy's example sentences (cached), or None when too few
        topics have examples (``groundswell/tagging/topic_heads.py``)."""
        from groundswell.tagging import topic_heads

        texts, labels = topic_heads.example_labels(self.topics, self.parents)
        columns = topic_heads.head_columns(labels)
        if not columns:
            return None
        self.described = build_prototypes(
            [t.model_copy(update={"examples": []}) for t in self.topics], self.encoder
        )
        fingerprint = topic_heads.encoder_fingerprint(self.encoder)
        if self.brands is not None:  # the examples' keyword hits read brand names as "their"
            fingerprint += f"|brands:{self.brands.pattern}"
        key = topic_heads.cache_key(self.topics, fingerprint)
        heads = topic_heads.load_cached(key)
        if heads is None:
            vectors = np.asarray(self.encoder.embed(texts), dtype=np.float32)
            described = self.described_scores(texts, vectors)
            heads = topic_heads.fit_heads(vectors, described, texts, labels, columns)
            topic_heads.save_cached(key, heads)
        return heads

    def described_scores(self, segments: list[str], vectors: np.ndarray) -> np.ndarray:
        """(segments, topics): similarity to each topic's description (not its examples: a head
        fitted on an example's similarity to itself would trust that too much) + keyword bonus,
        what few-shot heads read beside the embedding and the words."""
        similarity = vectors @ self.described.centroids.T
        return similarity + self.keyword_bonus * self.keyword_hits(segments)

    def keyword_hits(self, segments: list[str]) -> np.ndarray:
        """``keyword_matrix`` of the segments, a monitored brand's name read as "their": a
        customer writes "Acme support closed my ticket" where the keyword says "their support"
        (and "Acme Helpdesk" is not the keyword "helpdesk")."""
        if self.brands is not None:
            segments = [self.brands.sub(as_their, segment) for segment in segments]
        return keyword_matrix(segments, self.keyword_stems)

    def usable_heads(self, heads: TopicHeads | None, names: list[str]) -> TopicHeads | None:
        """``heads`` if they fit this taxonomy and encoder; heads trained on another encoder's
        embeddings (a configured ``[model] encoder``) are left out with a warning."""
        if heads is None:
            return None
        unknown = set(heads.topics) - set(names)
        if unknown:
            raise ValueError(f"heads for topics not in the taxonomy: {sorted(unknown)}")
        if heads.coef.shape[1] != self.prototypes.centroids.shape[1]:
            log.warning(
                "topic heads expect %d-dim embeddings; running zero-shot", heads.coef.shape[1]
            )
            return None
        return heads

    def segment_scores(self, segments: list[str], vectors: np.ndarray | None = None) -> np.ndarray:
        """(segments, topics): prototype similarity + keyword bonus + head vote, before
        thresholds. ``vectors``: the segments' embeddings when already computed."""
        if not segments:
            return np.zeros((0, len(self.topics)), dtype=np.float32)
        if vectors is None:
            vectors = np.asarray(self.encoder.embed(segments), dtype=np.float32)
        similarity = similarity_matrix(vectors, self.prototypes, self.centroid_weight)
        scores = similarity + self.keyword_bonus * self.keyword_hits(segments)
        if self.heads is not None:
            votes = self.heads.probabilities(vectors) - 0.5
            scores[:, self.head_columns] += HEAD_WEIGHT * votes
        return scores

    def read_segments(self, texts: list[str], encoded: list | None = None) -> SegmentBatch:
        """The batch's segments. An encoder with ``encode`` (``SharedEncoder``) reads them from
        the texts' token states in context (``encoded``, if the caller already has them)."""
        if encoded is None and hasattr(self.encoder, "encode"):
            encoded = self.encoder.encode(list(texts))
        per_text = [segment_spans(text) for text in texts]
        spans = [(i, span) for i, text_spans in enumerate(per_text) for span in text_spans]
        segments = SegmentBatch(
            texts=[texts[i][start:end] for i, (start, end) in spans],
            owners=[i for i, _ in spans],
            spans=[span for _, span in spans],
            encoded=encoded,
        )
        if encoded is not None and spans:
            segments.vectors = np.concatenate(
                [tokens.span_embeddings(text_spans, with_special=True)
                 for tokens, text_spans in zip(encoded, per_text, strict=True) if text_spans]
            ).astype(np.float32)  # fmt: skip
        return segments

    def segment_margins(self, segments: SegmentBatch) -> np.ndarray:
        """(segments, topics): how far each segment is above (>= 0: carries) each topic. A
        zero-shot topic's score less its threshold; a few-shot head's log-odds / steepness (its
        probability is then the hit's score); an attribute found lifts its parent; the fallback
        is never found zero-shot."""
        if not segments.texts:
            return np.zeros((0, len(self.topics)), dtype=np.float32)
        vectors = segments.vectors
        if vectors is None:
            vectors = np.asarray(self.encoder.embed(segments.texts), dtype=np.float32)
        scores = self.segment_scores(segments.texts, vectors)
        margins = scores - self.thresholds
        if self.fallback is not None:
            margins[:, self.fallback] = -1.0
        if self.few_shot is not None:
            described = self.described_scores(segments.texts, vectors)
            logits = self.few_shot.logits(vectors, described, segments.texts)
            margins[:, self.few_shot.columns] = logits / SCORE_STEEPNESS
        for child, parent in self.parents.items():
            margins[:, parent] = np.maximum(margins[:, parent], margins[:, child])
        return margins

    def topic_scores(self, texts: list[str]) -> np.ndarray:
        """(texts, topics): each text's best segment score per topic, its margin plus its
        threshold (what thresholds are calibrated on); -1 for a text without segments."""
        segments = self.read_segments(texts)
        best = np.full((len(texts), len(self.topics)), -1.0, dtype=np.float32)
        if segments.texts:
            scores = self.segment_margins(segments) + self.thresholds
            np.maximum.at(best, np.asarray(segments.owners), scores)
        return best

    def tag(self, texts: list[str], encoded: list | None = None) -> list[list[TopicHit]]:
        """For each text, its topics (best first) with score 0..1 and aspect sentiment.

        ``encoded``: the texts' ``groundswell.models.shared_encoder.EncodedText``, when the caller has them
        (the tagger's encoder must then be the ``SharedEncoder`` that made them)."""
        segments = self.read_segments(texts, encoded)
        margins = self.segment_margins(segments)
        carriers = self.topic_carriers(margins, segments.owners, len(texts))
        self.add_fallback(carriers, margins, segments.owners)
        wanted = sorted({s for found in carriers for ids in found.values() for s in ids})
        if segments.encoded is not None:
            sentiments = self.sentiments_in_context(texts, segments, wanted)
        else:
            sentiments = self.segment_sentiments(texts, segments, wanted)
        return [self.text_hits(found, margins, sentiments) for found in carriers]

    def topic_carriers(
        self, margins: np.ndarray, owners: list[int], n_texts: int
    ) -> list[dict[int, list[int]]]:
        """Per text: topic index -> the segments above that topic's threshold."""
        carriers: list[dict[int, list[int]]] = [{} for _ in range(n_texts)]
        for segment, topic in zip(*np.nonzero(margins >= 0), strict=True):
            carriers[owners[segment]].setdefault(int(topic), []).append(int(segment))
        return carriers

    def add_fallback(self, carriers: list[dict[int, list[int]]], margins: np.ndarray,
                     owners: list[int]) -> None:  # fmt: skip
        """Give the fallback topic, carried by all its segments, to each text with segments
        that no other topic fits (its score is then 0.5, the threshold)."""
        if self.fallback is None:
            return
        segments_of: dict[int, list[int]] = {}
        for segment, owner in enumerate(owners):
            segments_of.setdefault(owner, []).append(segment)
        for owner, found in enumerate(carriers):
            if owner in segments_of and not set(found) - {self.fallback}:
                found[self.fallback] = segments_of[owner]
                margins[segments_of[owner], self.fallback] = np.maximum(
                    margins[segments_of[owner], self.fallback], 0.0
                )

    def segment_sentiments(
        self, texts: list[str], segments: SegmentBatch, wanted: list[int]
    ) -> dict[int, tuple[str, float]]:
        """(label, score) of the ``wanted`` segments, from one call to the sentiment model."""
        if self.sentiment_model is None or not wanted:
            return {}
        clauses = [self.clause(texts, segments, i) for i in wanted]
        results = self.sentiment_model.predict(clauses)
        if self.problem_cues:
            results = read_aspect_statements(clauses, results)
        return {i: (r.label, float(r.score)) for i, r in zip(wanted, results, strict=True)}

    def sentiments_in_context(
        self, texts: list[str], segments: SegmentBatch, wanted: list[int]
    ) -> dict[int, tuple[str, float]]:
        """(label, score) of the ``wanted`` segments. A text's only segment is read from the
        text's tokens. A segment of a longer text, or one opening with a contrast word, is read
        on its own (one pass for all of the batch's): in context its tokens take on the rest's
        tone, and "fast, but it crashes" would give both topics one sentiment."""
        per_text = Counter(segments.owners)
        clauses = {i: self.clause(texts, segments, i) for i in wanted}
        alone = [i for i in wanted
                 if per_text[segments.owners[i]] > 1 or clauses[i] != segments.texts[i]]  # fmt: skip
        read_alone = self.encoder.encode([clauses[i] for i in alone]) if alone else []
        probabilities = dict(zip(alone, (e.sentiment_probabilities() for e in read_alone),
                                 strict=True))  # fmt: skip
        for i in wanted:
            if i not in probabilities:  # the text's only segment, as it stands in the text
                probabilities[i] = segments.encoded[segments.owners[i]].span_sentiment(
                    *segments.spans[i]
                )
        results = {i: sentiment_result(probs) for i, probs in probabilities.items()}
        if self.problem_cues:
            read = read_aspect_statements([clauses[i] for i in results], list(results.values()))
            results = dict(zip(results, read, strict=True))
        return {i: (r.label, r.score) for i, r in results.items()}

    @staticmethod
    def clause(texts: list[str], segments: SegmentBatch, i: int) -> str:
        """Segment ``i`` without an opening contrast word."""
        start, end = without_leading_contrast(texts[segments.owners[i]], segments.spans[i])
        return texts[segments.owners[i]][start:end]

    def text_hits(
        self,
        found: dict[int, list[int]],
        margins: np.ndarray,
        sentiments: dict[int, tuple[str, float]],
    ) -> list[TopicHit]:
        hits = []
        for topic, segment_ids in found.items():
            best = float(margins[segment_ids, topic].max())
            sentiment = None
            if sentiments:
                labels = [sentiments[i][0] for i in segment_ids]
                scores = [sentiments[i][1] for i in segment_ids]
                sentiment = combine_sentiments(labels, scores)
            score = round(logistic(SCORE_STEEPNESS * best), 4)
            hits.append(TopicHit(self.topics[topic].name, score, sentiment))
        return sorted(hits, key=lambda h: -h.score)


def topic_tagger_from_config(
    topics: Sequence[TopicConfig],
    encoder: TextEncoder,
    sentiment_model: SentimentModel | None = None,
    problem_cues: bool = False,
    brands: Sequence[str] = (),
) -> TopicTagger:
    """The tagger for a config's ``[[topic]]`` list, or for ``DEFAULT_TOPICS`` (with their
    calibrated thresholds and trained heads) when the list is empty. ``brands``: the monitored
    names, read as "their" by the keywords (``TopicTagger.keyword_hits``)."""
    if topics:
        return TopicTagger(topics, encoder, sentiment_model, problem_cues=problem_cues,
                           brands=brands)  # fmt: skip
    return default_topic_tagger(encoder, sentiment_model, problem_cues, brands)


def default_topic_tagger(
    encoder: TextEncoder, sentiment_model: SentimentModel | None = None,
    problem_cues: bool = False, brands: Sequence[str] = (),
) -> TopicTagger:  # fmt: skip
    thresholds = default_topic_thresholds(encoder)
    return TopicTagger(DEFAULT_TOPICS, encoder, sentiment_model, thresholds, default_heads(),
                       few_shot=False, problem_cues=problem_cues, brands=brands)  # fmt: skip
