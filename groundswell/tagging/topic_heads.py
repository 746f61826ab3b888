"""Few-shot topic heads: a configured taxonomy's example sentences, turned into classifiers.

A topic with at least ``MIN_EXAMPLES`` example sentences gets a logistic regression fitted when
the config loads: its examples are the positives, every other topic's examples the negatives.
It reads three things about a segment:

* its embedding (the tagger's encoder, the space the prototypes live in);
* its similarity to every topic's description plus the keyword bonus, so that a head fitted
  on a handful of examples can lean on the descriptions and keywords (not the similarity to the
  examples: fitted on an example's similarity to itself, a head would trust it too much);
* its words: hashed stems and stem pairs, the cue a handful of sentences teach best
  ("waiter", "pricey", "crashes").

Fitting takes seconds; the fitted coefficients are cached on disk (``$GROUNDSWELL_CACHE``),
named by a hash of the taxonomy, the encoder and this module's ``VERSION``, so a changed example
refits and an unchanged config loads them.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
from dataclasses import dataclass

import numpy as np

log = logging.getLogger(__name__)

VERSION = "few-shot-heads-2"
MIN_EXAMPLES = 3  # a topic with fewer examples stays zero-shot
REGULARISATION_C = 3.0
HASHED_FEATURES = 2**14


@dataclass
class FewShotHeads:
    """One logistic regression per head topic over [embedding, zero-shot scores, words]."""

    columns: list[int]  # the taxonomy column (topic index) of each head
    dense: np.ndarray  # (heads, dim + topics) weights on the embedding and description scores
    words: np.ndarray  # (heads, HASHED_FEATURES) weights on the hashed stems
    intercept: np.ndarray  # (heads,)

    def logits(self, vectors: np.ndarray, described: np.ndarray, texts: list[str]) -> np.ndarray:
        """(segments, heads) log-odds that each segment carries each head's topic."""
        dense = np.hstack([vectors, described]).astype(np.float32)
        words = hashed_words(texts)
        return dense @ self.dense.T + np.asarray(words @ self.words.T) + self.intercept


def hashed_words(texts: list[str]):
    """(texts, HASHED_FEATURES) sparse, L2-normalised indicators of stems and stem pairs."""
    from sklearn.feature_extraction.text import HashingVectorizer

    from groundswell.tagging.topics import stemmed_text

    vectorizer = HashingVectorizer(
        n_features=HASHED_FEATURES, alternate_sign=False, binary=True, norm="l2",
        ngram_range=(1, 2), preprocessor=stemmed_text, token_pattern=r"\S+",
    )  # fmt: skip
    return vectorizer.transform(texts)


def example_labels(topics: list, parents: dict[int, int]) -> tuple[list[str], np.ndarray]:
    """Every distinct example sentence of a (flattened) taxonomy, and which topics it is an
    example of (a multi-label 0/1 matrix); an attribute's examples count for its parent."""
    texts: list[str] = []
    rows: dict[str, set[int]] = {}
    for index, topic in enumerate(topics):
        for example in topic.examples:
            if example not in rows:
                rows[example] = set()
                texts.append(example)
            rows[example].add(index)
            if index in parents:
                rows[example].add(parents[index])
    labels = np.zeros((len(texts), len(topics)), dtype=bool)
    for i, text in enumerate(texts):
        labels[i, sorted(rows[text])] = True
    return texts, labels


def head_columns(labels: np.ndarray) -> list[int]:
    """The topics that get a head: at least MIN_EXAMPLES positives and some negatives."""
    positives = labels.sum(0)
    if (positives >= MIN_EXAMPLES).sum() < 2:
        return []  # one topic with examples has nothing to be told apart from
    return [j for j in range(labels.shape[1]) if MIN_EXAMPLES <= positives[j] < len(labels)]


def fit_heads(vectors: np.ndarray, described: np.ndarray, texts: list[str],
              labels: np.ndarray, columns: list[int]) -> FewShotHeads:  # fmt: skip
    import scipy.sparse as sparse
    from sklearn.linear_model import LogisticRegression

    dense = np.hstack([vectors, described]).astype(np.float32)
    features = sparse.hstack([sparse.csr_matrix(dense), hashed_words(texts)]).tocsr()
    weights, intercepts = [], []
    for column in columns:
        model = LogisticRegression(C=REGULARISATION_C, class_weight="balanced", max_iter=3000)
        model.fit(features, labels[:, column])
        weights.append(model.coef_[0])
        intercepts.append(model.intercept_[0])
    coef = np.asarray(weights, dtype=np.float32)
    width = dense.shape[1]
    return FewShotHeads(
        columns, coef[:, :width], coef[:, width:], np.asarray(intercepts, np.float32)
    )


def encoder_fingerprint(encoder) -> str:
    """The encoder's name and what it makes of a fixed sentence: another model (or a retrained
    one) gives another fingerprint, so heads fitted in another embedding space are not reused."""
    vector = np.asarray(encoder.embed(["groundswell few-shot topic heads"]))[0]
    digest = hashlib.sha256(np.round(vector, 3).astype(np.float32).tobytes()).hexdigest()[:12]
    return f"{getattr(encoder, 'name', type(encoder).__name__)}:{digest}"


def cache_key(topics: list, encoder_name: str) -> str:
    described = [t.model_dump() for t in topics]
    payload = json.dumps([VERSION, encoder_name, described], sort_keys=True)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:16]


def load_cached(key: str) -> FewShotHeads | None:
    from groundswell.models.sentiment import cache_dir

    path = cache_dir() / f"topic-heads-{key}.npz"
    if not path.exists():
        return None
    try:
        with np.load(path) as saved:
            return FewShotHeads(saved["columns"].tolist(), saved["dense"], saved["words"],
                                saved["intercept"])  # fmt: skip
    except (OSError, KeyError, ValueError) as error:  # a damaged cache file is refitted
        log.warning("refitting topic heads: cached %s unreadable (%s)", path, error)
        return None


def save_cached(key: str, heads: FewShotHeads) -> None:
    from groundswell.models.sentiment import cache_dir

    folder = cache_dir()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, suffix=".npz", delete=False) as handle:
            np.savez(handle, columns=np.asarray(heads.columns), dense=heads.dense,
                     words=heads.words, intercept=heads.intercept)  # fmt: skip
        os.replace(handle.name, folder / f"topic-heads-{key}.npz")
    except OSError as error:  # a read-only cache costs a refit next time, nothing else
        log.warning("topic heads not cached in %s (%s)", folder, error)
