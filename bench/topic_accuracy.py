"""Topic tagging accuracy on public labelled data (``../shared/data/topics``), as measured.

* SemEval-2014 restaurants (sentences, aspect categories with polarity) with the restaurant
  taxonomy in ``bench/restaurant_topics.toml``: category detection micro/macro F1 and the
  aspect-category polarity accuracy of correctly detected categories (conflict skipped).
* AUREA Google Play reviews, SemEval-2015/16 laptops and the maalej app reviews with the default
  B2B taxonomy (``pipeline.topics.DEFAULT_TOPICS``): per-topic precision/recall/F1.

Every data set is cut in two by a hash of its ids: thresholds are calibrated (best F1 per topic)
on the calibration part (30%) and every figure is measured on the other 70%. The default
taxonomy is also scored with its shipped thresholds (``DEFAULT_TOPIC_THRESHOLDS``).

    python bench/topic_accuracy.py [DATA_DIR] [--limit N] [--threads 2] [--no-sentiment]
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from groundswell.config import load_config
from pipeline.topics import (
    DEFAULT_THRESHOLD,
    DEFAULT_TOPIC_THRESHOLDS,
    DEFAULT_TOPICS,
    TopicTagger,
)

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = REPO_ROOT.parent / "shared" / "data" / "topics"
RESTAURANT_TAXONOMY = REPO_ROOT / "bench" / "restaurant_topics.toml"
CALIBRATION_FRACTION = 0.3
SPEED_TEXTS = 300
POLARITIES = ("negative", "neutral", "positive")

# Published SemEval-2014 task 4 restaurant results (test split, best supervised systems).
PUBLISHED_CATEGORY_F1 = 88.57
PUBLISHED_POLARITY_ACCURACY = 82.92

RESTAURANT_CATEGORIES = ("food", "service", "price", "ambience")
MISCELLANEOUS = "anecdotes/miscellaneous"
AUREA_TOPICS = {
    "IS_PRICE": "pricing",
    "IS_PERFORMANCE": "performance",
    "IS_SECURITY": "security",
    "IS_PRIVACY": "security",
    "IS_APP USABILITY": "usability",
    "IS_UI": "usability",
    "IS_COMPLAINT": "reliability",
}  # LICENSING, DEVICE, HARDWARE, ANDROID VERSION, BATTERY, MEMORY: no B2B topic
LAPTOP_PERFORMANCE_ENTITIES = {"LAPTOP", "SOFTWARE", "OS", "CPU", "MEMORY", "GRAPHICS", "HARD_DISC"}
MAALEJ_TOPICS = {
    "Bug": "reliability",
    "Feature": "features",
    "Rating": None,
    "UserExperience": None,
}


@dataclass
class Example:
    key: str
    text: str
    topics: dict[str, str | None] = field(default_factory=dict)  # topic -> gold polarity
    miscellaneous: bool = False  # SemEval-2014 anecdotes/miscellaneous


# --------------------------------------------------------------------------------------------
# Data sets
# --------------------------------------------------------------------------------------------


def load_semeval2014_restaurants(path: Path) -> list[Example]:
    examples = []
    for sentence in ET.parse(path).getroot().iter("sentence"):
        topics = {
            c.get("category"): c.get("polarity")
            for c in sentence.iter("aspectCategory")
            if c.get("category") in RESTAURANT_CATEGORIES
        }
        categories = {c.get("category") for c in sentence.iter("aspectCategory")}
        text = sentence.findtext("text") or ""
        misc = MISCELLANEOUS in categories
        examples.append(Example(sentence.get("id"), text, topics, misc))
    return examples


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
    if topic in topics and topics[topic] != polarity:
        topics[topic] = "conflict"
    else:
        topics[topic] = polarity


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


def load_aurea(path: Path) -> list[Example]:
    examples = []
    with path.open(newline="", encoding="utf-8", errors="replace") as handle:
        for row in csv.DictReader(handle):
            topics = {t: None for column, t in AUREA_TOPICS.items() if row[column].strip() == "1"}
            examples.append(Example(row["_id"], row["reviewText"], topics))
    return examples


def load_maalej(folder: Path) -> list[Example]:
    examples = []
    for label, topic in MAALEJ_TOPICS.items():
        for row in json.loads((folder / f"{label}.json").read_text(encoding="utf-8")):
            text = " ".join(p for p in (row.get("title"), row.get("comment")) if p).strip()
            examples.append(Example(f"{label}-{row['id']}", text, {topic: None} if topic else {}))
    return examples


def subsample(examples: list[Example], limit: int | None) -> list[Example]:
    """At most ``limit`` examples, spread evenly over the file (all of them without a limit)."""
    if not limit or limit >= len(examples):
        return examples
    step = len(examples) / limit
    return [examples[int(i * step)] for i in range(limit)]


def is_calibration(key: str, fraction: float = CALIBRATION_FRACTION) -> bool:
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()
    return int(digest[:8], 16) / 0xFFFFFFFF < fraction


def split_calibration(examples: list[Example]) -> tuple[list[Example], list[Example]]:
    calibration = [e for e in examples if is_calibration(e.key)]
    evaluation = [e for e in examples if not is_calibration(e.key)]
    return calibration, evaluation


# --------------------------------------------------------------------------------------------
# Metrics
# --------------------------------------------------------------------------------------------


def truth_matrix(examples: list[Example], names: Sequence[str]) -> np.ndarray:
    return np.array([[n in e.topics for n in names] for e in examples], dtype=bool)


def best_f1_threshold(scores: np.ndarray, truth: np.ndarray) -> float:
    """The threshold on ``scores`` that maximises F1 against ``truth`` (midpoint of a gap)."""
    order = np.argsort(-scores)
    ranked_scores, ranked_truth = scores[order], truth[order]
    true_positives = np.cumsum(ranked_truth)
    predicted = np.arange(1, len(scores) + 1)
    f1 = 2 * true_positives / (predicted + truth.sum())
    best = int(np.argmax(f1))
    below = ranked_scores[best + 1] if best + 1 < len(scores) else ranked_scores[best] - 0.01
    return float((ranked_scores[best] + below) / 2)


def calibrate(tagger: TopicTagger, examples: list[Example], names: Sequence[str]) -> dict:
    scores = tagger.topic_scores([e.text for e in examples])
    truth = truth_matrix(examples, [t.name for t in tagger.topics])
    index = {t.name: i for i, t in enumerate(tagger.topics)}
    return {n: round(best_f1_threshold(scores[:, index[n]], truth[:, index[n]]), 3) for n in names}


def f1(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    score = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, score


def detection_report(predicted: np.ndarray, truth: np.ndarray, names: Sequence[str]) -> dict:
    rows = {}
    for j, name in enumerate(names):
        tp = int((predicted[:, j] & truth[:, j]).sum())
        fp = int((predicted[:, j] & ~truth[:, j]).sum())
        fn = int((~predicted[:, j] & truth[:, j]).sum())
        rows[name] = (*f1(tp, fp, fn), int(truth[:, j].sum()))
    tp = int((predicted & truth).sum())
    micro = f1(tp, int((predicted & ~truth).sum()), int((~predicted & truth).sum()))
    macro = float(np.mean([r[2] for r in rows.values()]))
    return {"topics": rows, "micro": micro, "macro_f1": macro}


def print_detection(report: dict) -> None:
    print(f"  {'topic':<14}{'precision':>10}{'recall':>8}{'F1':>8}{'support':>9}")
    for name, (precision, recall, score, support) in report["topics"].items():
        print(f"  {name:<14}{precision:>10.3f}{recall:>8.3f}{score:>8.3f}{support:>9}")
    precision, recall, score = report["micro"]
    print(f"  {'micro':<14}{precision:>10.3f}{recall:>8.3f}{score:>8.3f}")
    print(f"  {'macro F1':<14}{'':>18}{report['macro_f1']:>8.3f}")


def predicted_matrix(hits: list[list], names: Sequence[str]) -> np.ndarray:
    return np.array([[any(h.name == n for h in found) for n in names] for found in hits], bool)


def polarity_accuracy(examples: list[Example], hits: list[list]) -> tuple[float, int, dict]:
    """Accuracy of hit sentiment on correctly detected topics whose gold polarity is a plain
    negative/neutral/positive (conflict skipped); also the gold-by-predicted counts."""
    correct, total = 0, 0
    confusion: dict[tuple[str, str], int] = {}
    for example, found in zip(examples, hits, strict=True):
        for hit in found:
            gold = example.topics.get(hit.name)
            if gold not in POLARITIES or hit.sentiment is None:
                continue
            total += 1
            correct += gold == hit.sentiment
            confusion[(gold, hit.sentiment)] = confusion.get((gold, hit.sentiment), 0) + 1
    return (correct / total if total else float("nan")), total, confusion


def print_polarity(accuracy: float, total: int, confusion: dict) -> None:
    print(f"  aspect polarity accuracy on {total} correctly detected topics: {accuracy:.3f}")
    print("  gold \\ predicted   " + "".join(f"{p:>10}" for p in POLARITIES))
    for gold in POLARITIES:
        counts = "".join(f"{confusion.get((gold, p), 0):>10}" for p in POLARITIES)
        print(f"  {gold:<19}{counts}")


# --------------------------------------------------------------------------------------------
# Runs
# --------------------------------------------------------------------------------------------


class MemoEncoder:
    """Wraps an encoder so that texts embedded once (calibration, then tagging) are reused."""

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


def evaluate_taxonomy(
    title: str,
    make_tagger: Callable[[dict[str, float] | None], TopicTagger],
    examples: list[Example],
    names: Sequence[str],
    shipped: dict[str, float] | None = None,
) -> tuple[list[Example], list[list]]:
    calibration, evaluation = split_calibration(examples)
    print(f"\n=== {title}: {len(examples)} texts ===")
    print(
        f"  thresholds calibrated on {len(calibration)} texts ({CALIBRATION_FRACTION:.0%}, "
        f"hash split); measured on the other {len(evaluation)}"
    )
    calibrated = calibrate(make_tagger(None), calibration, names)
    print(f"  calibrated here: {calibrated}")
    truth = truth_matrix(evaluation, names)
    texts = [e.text for e in evaluation]
    hits = make_tagger(calibrated).tag(texts)
    print("  -- with thresholds calibrated on this data set's calibration part")
    print_detection(detection_report(predicted_matrix(hits, names), truth, names))
    if shipped is not None:
        shown = {n: shipped.get(n, DEFAULT_THRESHOLD) for n in names}
        print(f"  -- with the shipped default thresholds {shown}")
        hits = make_tagger(shipped).tag(texts)
        print_detection(detection_report(predicted_matrix(hits, names), truth, names))
    return evaluation, hits


def restaurants(data: Path, encoder, sentiment_model, limit: int | None) -> None:
    taxonomy = load_config(RESTAURANT_TAXONOMY).topic
    examples = load_semeval2014_restaurants(data / "semeval2014" / "Restaurants_Train_v2.xml")
    examples = subsample(examples, limit)
    names = [t.name for t in taxonomy]

    def make_tagger(thresholds: dict[str, float] | None) -> TopicTagger:
        return TopicTagger(taxonomy, encoder, sentiment_model, thresholds)

    title = "SemEval-2014 restaurants (train file), restaurant taxonomy, zero-shot"
    evaluation, hits = evaluate_taxonomy(title, make_tagger, examples, names)
    print_official_setting(evaluation, hits, names)
    print(f"  published (test split, supervised): best category F1 {PUBLISHED_CATEGORY_F1}")
    if sentiment_model is None:
        print("  aspect polarity: skipped (no sentiment model)")
        return
    print_polarity(*polarity_accuracy(evaluation, hits))
    print(f"  published (test split, supervised, gold categories given): best polarity accuracy "
          f"{PUBLISHED_POLARITY_ACCURACY}")  # fmt: skip


def print_official_setting(
    evaluation: list[Example], hits: list[list], names: Sequence[str]
) -> None:
    """SemEval-2014 scores five categories: here a sentence with no topic is predicted
    anecdotes/miscellaneous, and gold anecdotes/miscellaneous is one more category to find."""
    predicted = predicted_matrix(hits, names)
    truth = truth_matrix(evaluation, names)
    gold_misc = np.array([e.miscellaneous for e in evaluation])
    report = detection_report(
        np.column_stack([predicted, ~predicted.any(1)]),
        np.column_stack([truth, gold_misc]),
        [*names, MISCELLANEOUS],
    )
    precision, recall, score = report["micro"]
    print(
        f"  five categories as SemEval-2014 scores them (no topic = {MISCELLANEOUS}): "
        f"micro P {precision:.3f} R {recall:.3f} F1 {score:.3f}"
    )


def b2b_sets(data: Path, limit: int | None) -> list[tuple[str, list[Example], list[str]]]:
    laptops = [
        data / "semeval2015" / "ABSA-15_Laptops_Train_Data.xml",
        data / "semeval2016" / "ABSA16_Laptops_Train_SB1_v2.xml",
    ]
    return [
        ("AUREA app reviews", subsample(load_aurea(data / "aurea_app_reviews" / "reviews_data.csv"), limit),
         ["pricing", "performance", "security", "usability", "reliability"]),
        ("SemEval-2015/16 laptop sentences", subsample(load_semeval_laptops(laptops), limit),
         ["pricing", "support", "usability", "performance"]),
        ("maalej app reviews (Bug, Feature vs Rating, UserExperience)",
         subsample(load_maalej(data / "maalej_app_reviews"), limit), ["reliability", "features"]),
    ]  # fmt: skip


def default_taxonomy(data: Path, encoder, sentiment_model, limit: int | None) -> None:
    def make_tagger(thresholds: dict[str, float] | None) -> TopicTagger:
        return TopicTagger(DEFAULT_TOPICS, encoder, sentiment_model, thresholds)

    for title, examples, names in b2b_sets(data, limit):
        evaluation, hits = evaluate_taxonomy(
            f"{title}, default B2B taxonomy", make_tagger, examples, names, DEFAULT_TOPIC_THRESHOLDS
        )
        if sentiment_model is not None and any(e.topics.get(n) for e in evaluation for n in names):
            print_polarity(*polarity_accuracy(evaluation, hits))


def speed(data: Path, encoder_factory, sentiment_model) -> None:
    texts = [e.text for e in load_aurea(data / "aurea_app_reviews" / "reviews_data.csv")]
    texts = texts[-SPEED_TEXTS:]
    tagger = TopicTagger(DEFAULT_TOPICS, encoder_factory(), sentiment_model)
    tagger.tag(texts[:8])  # warm-up
    start = time.perf_counter()
    for batch_start in range(0, len(texts), 64):
        tagger.tag(texts[batch_start : batch_start + 64])
    seconds = time.perf_counter() - start
    with_sentiment = "with" if sentiment_model is not None else "without"
    print(f"\n=== speed: {len(texts) / seconds:.1f} texts/s ({len(texts)} AUREA reviews, "
          f"batches of 64, {with_sentiment} aspect sentiment) ===")  # fmt: skip


def load_sentiment(enabled: bool):
    if not enabled:
        return None
    try:
        from models.sentiment import load_sentiment_model

        model = load_sentiment_model()
        model.predict(["warm up"])
        return model
    except Exception as error:  # noqa: BLE001 - report and carry on without polarity
        print(f"sentiment model unavailable ({type(error).__name__}: {error}); "
              "aspect polarity is skipped")  # fmt: skip
        return None


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("data", nargs="?", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--limit", type=int, default=None, help="first N texts of each set")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--no-sentiment", action="store_true")
    args = parser.parse_args(argv)
    if not args.data.is_dir():
        print(f"topic data not found at {args.data}: nothing measured")
        return
    import torch

    torch.set_num_threads(args.threads)
    from models.encoder import load_encoder

    encoder = MemoEncoder(load_encoder())
    sentiment_model = load_sentiment(not args.no_sentiment)
    restaurants(args.data, encoder, sentiment_model, args.limit)
    default_taxonomy(args.data, encoder, sentiment_model, args.limit)
    speed(args.data, load_encoder, sentiment_model)


if __name__ == "__main__":
    main()
