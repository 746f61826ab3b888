"""Train the small per-topic heads of the default taxonomy (``groundswell/models/artifacts/topics/``).

A head is a logistic regression on frozen all-MiniLM-L6-v2 sentence embeddings. Training data:
SemEval-2015/16 laptop sentences (ENTITY#ATTRIBUTE opinions mapped to topics, see
``laptop_topic``) and the maalej app reviews (Bug -> reliability, Feature -> features).

A head ships only where it helps on data it never saw: for each candidate topic, the tagger's
F1 with and without the head is compared on the calibration part of the AUREA app reviews
(thresholds cross-fitted over two halves of it); AUREA's other 70% stays untouched for
``bench/topic_accuracy.py``. Also home to the data loaders and split the bench shares.

    python -m training.train_topics [DATA_DIR] [--threads 2]
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from groundswell.models import ARTIFACTS

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = REPO_ROOT.parent / "shared" / "data" / "topics"
HEADS_DIR = ARTIFACTS / "topics"
HEADS_FILE = "heads.npz"
HEADS_INFO = "heads.json"
# Topics with training data here and labels in AUREA (where a head must prove itself).
CANDIDATE_TOPICS = ("pricing", "performance", "usability", "reliability")
REGULARISATION_C = 0.1
VERSION = "topic-heads-1"

LAPTOP_FILES = (
    "semeval2015/ABSA-15_Laptops_Train_Data.xml",
    "semeval2016/ABSA16_Laptops_Train_SB1_v2.xml",
)
LAPTOP_PERFORMANCE_ENTITIES = {"LAPTOP", "SOFTWARE", "OS", "CPU", "MEMORY", "GRAPHICS", "HARD_DISC"}
MAALEJ_TOPICS = {
    "Bug": "reliability",
    "Feature": "features",
    "Rating": None,
    "UserExperience": None,
}
AUREA_TOPICS = {
    "IS_PRICE": "pricing",
    "IS_PERFORMANCE": "performance",
    "IS_SECURITY": "security",
    "IS_PRIVACY": "security",
    "IS_APP USABILITY": "usability",
    "IS_UI": "usability",
    "IS_COMPLAINT": "reliability",
}  # LICENSING, DEVICE, HARDWARE, ANDROID VERSION, BATTERY, MEMORY: no B2B topic
AUREA_FILE = "aurea_app_reviews/reviews_data.csv"
CALIBRATION_FRACTION = 0.3


@dataclass
class Example:
    key: str
    text: str
    topics: dict[str, str | None] = field(default_factory=dict)  # topic -> gold polarity
    miscellaneous: bool = False  # SemEval-2014 anecdotes/miscellaneous


def laptop_topic(category: str) -> str | None:
    """A SemEval-2015/16 laptop ENTITY#ATTRIBUTE as a default-taxonomy topic, if one fits."""
    entity, attribute = category.split("#")
    if attribute == "PRICE":
        return "pricing"
    if entity in ("SUPPORT", "WARRANTY"):
        return "support"
    if attribute == "USABILITY":
        return "usability"
    if attribute == "OPERATION_PERFORMANCE" and entity in LAPTOP_PERFORMANCE_ENTITIES:
        return "performance"
    return None


def add_polarity(topics: dict[str, str | None], topic: str, polarity: str | None) -> None:
    """Several opinions on one topic keep their polarity only if they agree."""
    topics[topic] = "conflict" if topic in topics and topics[topic] != polarity else polarity


def load_semeval_laptops(paths: Sequence[Path]) -> list[Example]:
    """SemEval-2015 and 2016 laptop sentences (2016 repeats 2015: each text kept once)."""
    seen: dict[str, Example] = {}
    for path in paths:
        for sentence in ET.parse(path).getroot().iter("sentence"):
            text = sentence.findtext("text") or ""
            key = " ".join(text.lower().split())
            if key in seen:
                continue
            topics: dict[str, str | None] = {}
            for opinion in sentence.iter("Opinion"):
                topic = laptop_topic(opinion.get("category"))
                if topic:
                    add_polarity(topics, topic, opinion.get("polarity"))
            seen[key] = Example(key, text, topics)
    return list(seen.values())


def load_maalej(folder: Path) -> list[Example]:
    examples = []
    for label, topic in MAALEJ_TOPICS.items():
        for row in json.loads((folder / f"{label}.json").read_text(encoding="utf-8")):
            text = " ".join(p for p in (row.get("title"), row.get("comment")) if p).strip()
            examples.append(Example(f"{label}-{row['id']}", text, {topic: None} if topic else {}))
    return examples


def load_aurea(path: Path) -> list[Example]:
    examples = []
    with path.open(newline="", encoding="utf-8", errors="replace") as handle:
        for row in csv.DictReader(handle):
            topics = {t: None for column, t in AUREA_TOPICS.items() if row[column].strip() == "1"}
            examples.append(Example(row["_id"], row["reviewText"], topics))
    return examples


def is_calibration(key: str, fraction: float = CALIBRATION_FRACTION) -> bool:
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()
    return int(digest[:8], 16) / 0xFFFFFFFF < fraction


def split_calibration(examples: list[Example]) -> tuple[list[Example], list[Example]]:
    calibration = [e for e in examples if is_calibration(e.key)]
    evaluation = [e for e in examples if not is_calibration(e.key)]
    return calibration, evaluation


def best_f1_threshold(scores: np.ndarray, truth: np.ndarray) -> float:
    """The threshold on ``scores`` that maximises F1 against ``truth`` (midpoint of a gap)."""
    order = np.argsort(-scores)
    ranked_scores, ranked_truth = scores[order], truth[order]
    true_positives = np.cumsum(ranked_truth)
    predicted = np.arange(1, len(scores) + 1)
    f1_at = 2 * true_positives / (predicted + truth.sum())
    best = int(np.argmax(f1_at))
    below = ranked_scores[best + 1] if best + 1 < len(scores) else ranked_scores[best] - 0.01
    return float((ranked_scores[best] + below) / 2)


def f1(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    score = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, score


def training_examples(data: Path) -> list[Example]:
    laptops = load_semeval_laptops([data / name for name in LAPTOP_FILES])
    return laptops + load_maalej(data / "maalej_app_reviews")


def train_heads(vectors: np.ndarray, examples: list[Example], topics: Sequence[str]) -> dict:
    """{'topics', 'coef' (topics, dim), 'intercept' (topics,)} and per-topic positive counts."""
    from sklearn.linear_model import LogisticRegression

    coefs, intercepts, positives = [], [], {}
    for topic in topics:
        truth = np.array([topic in e.topics for e in examples])
        model = LogisticRegression(C=REGULARISATION_C, max_iter=3000, class_weight="balanced")
        model.fit(vectors, truth)
        coefs.append(model.coef_[0].astype(np.float32))
        intercepts.append(np.float32(model.intercept_[0]))
        positives[topic] = int(truth.sum())
    heads = {"topics": np.array(topics), "coef": np.stack(coefs), "intercept": np.array(intercepts)}
    return {"heads": heads, "positives": positives}


class MemoEncoder:
    """Wraps an encoder so that texts embedded once are not embedded again."""

    def __init__(self, encoder) -> None:
        self.encoder = encoder
        self.memo: dict[str, np.ndarray] = {}

    def embed(self, texts: list[str]) -> np.ndarray:
        missing = [t for t in dict.fromkeys(texts) if t not in self.memo]
        if missing:
            self.memo.update(zip(missing, self.encoder.embed(missing), strict=True))
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        return np.stack([self.memo[t] for t in texts])


def cross_fitted_f1(text_scores: np.ndarray, truth: np.ndarray, folds: np.ndarray) -> float:
    """F1 when each half's threshold is calibrated on the other half."""
    tp = fp = fn = 0
    for fold in (True, False):
        threshold = best_f1_threshold(text_scores[folds == fold], truth[folds == fold])
        predicted, gold = text_scores[folds != fold] >= threshold, truth[folds != fold]
        tp += int((predicted & gold).sum())
        fp += int((predicted & ~gold).sum())
        fn += int((~predicted & gold).sum())
    return f1(tp, fp, fn)[2]


def select_heads(heads, data: Path, encoder) -> dict[str, dict[str, float]]:
    """Per candidate topic: F1 on AUREA's calibration part without and with its head."""
    from groundswell.tagging.topics import DEFAULT_TOPICS, HEAD_WEIGHT, TopicTagger, split_batch

    calibration, _ = split_calibration(load_aurea(data / AUREA_FILE))
    segments, owners = split_batch([e.text for e in calibration])
    owner_index = np.asarray(owners)
    zero_shot = TopicTagger(DEFAULT_TOPICS, encoder).segment_scores(segments)
    votes = HEAD_WEIGHT * (heads.probabilities(encoder.embed(segments)) - 0.5)
    folds = np.array([is_calibration(f"{e.key}/fold", 0.5) for e in calibration])
    names = [t.name for t in DEFAULT_TOPICS]
    report = {}
    for h, topic in enumerate(heads.topics):
        truth = np.array([topic in e.topics for e in calibration])
        scores = {}
        for label, segment_scores in (
            ("without", zero_shot[:, names.index(topic)]),
            ("with", zero_shot[:, names.index(topic)] + votes[:, h]),
        ):
            best = np.full(len(calibration), -1.0)
            np.maximum.at(best, owner_index, segment_scores)
            scores[label] = round(cross_fitted_f1(best, truth, folds), 3)
        report[topic] = scores
    return report


def keep_topics(trained: dict, topics: list[str]) -> dict:
    heads = trained["heads"]
    rows = [list(heads["topics"]).index(t) for t in topics]
    kept = {"topics": np.array(topics), "coef": heads["coef"][rows]}
    kept["intercept"] = heads["intercept"][rows]
    return {"heads": kept, "positives": {t: trained["positives"][t] for t in topics}}


def save_heads(
    trained: dict, examples: list[Example], selection: dict, out_dir: Path, encoder_name: str
) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    np.savez(out_dir / HEADS_FILE, **trained["heads"])
    info = {
        "version": VERSION,
        "encoder": encoder_name,
        "model": f"logistic regression, C={REGULARISATION_C}, class_weight=balanced",
        "topics": list(trained["heads"]["topics"]),
        "train_texts": len(examples),
        "train_positives": trained["positives"],
        "train_data": ["SemEval-2015/16 laptops (train)", "maalej app reviews"],
        "selection_f1_on_aurea_calibration_part": selection,
    }
    (out_dir / HEADS_INFO).write_text(json.dumps(info, indent=2) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("data", nargs="?", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--out", type=Path, default=HEADS_DIR)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args(argv)
    import torch

    from groundswell.models.encoder import DEFAULT_MODEL, load_encoder
    from groundswell.tagging.topics import TopicHeads

    torch.set_num_threads(args.threads)
    encoder = MemoEncoder(load_encoder())
    examples = training_examples(args.data)
    trained = train_heads(encoder.embed([e.text for e in examples]), examples, CANDIDATE_TOPICS)
    heads = trained["heads"]
    candidates = TopicHeads(list(CANDIDATE_TOPICS), heads["coef"], heads["intercept"])
    selection = select_heads(candidates, args.data, encoder)
    kept = [t for t, f in selection.items() if f["with"] > f["without"]]
    for topic, scores in selection.items():
        verdict = "kept" if topic in kept else "dropped"
        print(f"{topic}: AUREA calibration-part F1 without head {scores['without']}, "
              f"with {scores['with']} -> {verdict}")  # fmt: skip
    save_heads(keep_topics(trained, kept), examples, selection, args.out, DEFAULT_MODEL)
    print(f"saved heads for {', '.join(kept) or 'no topic'} ({len(examples)} training texts) "
          f"-> {args.out}")  # fmt: skip


if __name__ == "__main__":
    main()
