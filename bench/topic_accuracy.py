"""Topic tagging accuracy on public labelled data (``../shared/data/topics``), as measured.

* SemEval-2014 restaurants (sentences, aspect categories with polarity) with the restaurant
  taxonomy in ``bench/restaurant_topics.toml`` as written (few-shot heads fitted on its
  examples, which come only from the file's calibration part): category detection micro/macro
  F1, the five categories as SemEval-2014 scores them, and the aspect-category polarity accuracy
  of correctly detected categories (conflict skipped); then the same taxonomy zero-shot.
* AUREA Google Play reviews, SemEval-2015/16 laptops and the maalej app reviews with the default
  B2B taxonomy (``groundswell.tagging.topics.DEFAULT_TOPICS``): per-topic precision/recall/F1.

Every data set is cut in two by a hash of its ids: thresholds are calibrated (best F1 per topic)
and examples are taken on the calibration part (30%) and every figure is measured on the other
70%: the train files' figures, not the published test splits'. The default
taxonomy is also scored with its shipped thresholds (``default_topic_thresholds``: one set per
embedding space).

    python bench/topic_accuracy.py [DATA_DIR] [--limit N] [--threads 2] [--no-sentiment]
                                   [--separate-stages] [--problem-cues]
"""

from __future__ import annotations

import argparse
import sys
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # training/

import numpy as np

from groundswell.config import load_config
from groundswell.tagging.topics import (
    DEFAULT_TOPICS,
    MAX_THRESHOLD,
    TopicTagger,
    default_heads,
    default_topic_tagger,
    default_topic_thresholds,
)
from training.train_topics import (
    CALIBRATION_FRACTION,
    LAPTOP_FILES,
    Example,
    MemoEncoder,
    best_f1_threshold,
    f1,
    load_aurea,
    load_maalej,
    load_semeval_laptops,
    split_calibration,
)

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = REPO_ROOT.parent / "shared" / "data" / "topics"
RESTAURANT_TAXONOMY = REPO_ROOT / "bench" / "restaurant_topics.toml"
PROBLEM_CUES = False  # --problem-cues: aspect polarity with the tagger's problem-statement rule
RESTAURANT16_TAXONOMY = REPO_ROOT / "bench" / "restaurant16_topics.toml"
SEMEVAL16_FILE = Path("semeval2016") / "ABSA16_Restaurants_Train_SB1_v2.xml"
SPEED_TEXTS = 300
POLARITIES = ("negative", "neutral", "positive")

RESTAURANT_CATEGORIES = ("food", "service", "price", "ambience")
MISCELLANEOUS = "anecdotes/miscellaneous"


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


def subsample(examples: list[Example], limit: int | None) -> list[Example]:
    """At most ``limit`` examples, spread evenly over the file (all of them without a limit)."""
    if not limit or limit >= len(examples):
        return examples
    step = len(examples) / limit
    return [examples[int(i * step)] for i in range(limit)]


# --------------------------------------------------------------------------------------------
# Metrics
# --------------------------------------------------------------------------------------------


def truth_matrix(examples: list[Example], names: Sequence[str]) -> np.ndarray:
    return np.array([[n in e.topics for n in names] for e in examples], dtype=bool)


def calibration_scores(
    tagger: TopicTagger, examples: list[Example], names: Sequence[str]
) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Per topic: the texts' scores before thresholds, and whether each text has the topic."""
    scores = tagger.topic_scores([e.text for e in examples])
    index = {t.name: i for i, t in enumerate(tagger.topics)}
    return {n: (scores[:, index[n]], truth_matrix(examples, [n])[:, 0]) for n in names}


def best_thresholds(scored: dict[str, tuple[np.ndarray, np.ndarray]]) -> dict[str, float]:
    return {n: round(best_f1_threshold(s, t), 3) for n, (s, t) in scored.items()}


def calibrate(tagger: TopicTagger, examples: list[Example], names: Sequence[str]) -> dict:
    return best_thresholds(calibration_scores(tagger, examples, names))


def pooled_thresholds(tagger: TopicTagger, sets: list[LabelledSet]) -> dict[str, float]:
    """Thresholds calibrated on the calibration parts of several sets taken together."""
    pooled: dict[str, list[tuple[np.ndarray, np.ndarray]]] = {}
    for labelled in sets:
        calibration, _ = split_calibration(labelled.examples)
        for name, pair in calibration_scores(tagger, calibration, labelled.topics).items():
            pooled.setdefault(name, []).append(pair)
    joined = {
        n: (np.concatenate([s for s, _ in pairs]), np.concatenate([t for _, t in pairs]))
        for n, pairs in pooled.items()
    }
    return best_thresholds(joined)


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
    width = max(14, *(len(name) + 2 for name in report["topics"]))
    print(f"  {'topic':<{width}}{'precision':>10}{'recall':>8}{'F1':>8}{'support':>9}")
    for name, (precision, recall, score, support) in report["topics"].items():
        print(f"  {name:<{width}}{precision:>10.3f}{recall:>8.3f}{score:>8.3f}{support:>9}")
    precision, recall, score = report["micro"]
    print(f"  {'micro':<{width}}{precision:>10.3f}{recall:>8.3f}{score:>8.3f}")
    print(f"  {'macro F1':<{width}}{'':>18}{report['macro_f1']:>8.3f}")


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
        tagger = make_tagger(shipped)
        shown = {t.name: round(float(threshold), 3)
                 for t, threshold in zip(tagger.topics, tagger.thresholds, strict=True)
                 if t.name in names}  # fmt: skip
        print(f"  -- with the shipped default thresholds {shown}")
        hits = tagger.tag(texts)
        print_detection(detection_report(predicted_matrix(hits, names), truth, names))
    return evaluation, hits


def restaurants(data: Path, encoder, sentiment_model, limit: int | None) -> None:
    configured = load_config(RESTAURANT_TAXONOMY).topic
    names = [t.name for t in configured if not t.fallback]
    examples = load_semeval2014_restaurants(data / "semeval2014" / "Restaurants_Train_v2.xml")
    examples = subsample(examples, limit)
    calibration, evaluation = split_calibration(examples)
    example_texts = {" ".join(x.split()) for t in configured for x in t.examples}
    leaked = [e.key for e in evaluation if " ".join(e.text.split()) in example_texts]
    if leaked:
        raise SystemExit(f"{RESTAURANT_TAXONOMY}: examples from the evaluation part: {leaked[:5]}")
    texts = [e.text for e in evaluation]
    truth = truth_matrix(evaluation, names)
    print(f"\n=== SemEval-2014 restaurants (train file), {RESTAURANT_TAXONOMY.name} as written: "
          f"{len(evaluation)} sentences of the evaluation part (none is an example) ===")  # fmt: skip
    tagger = TopicTagger(configured, encoder, sentiment_model, problem_cues=PROBLEM_CUES)
    heads = len(tagger.few_shot.columns) if tagger.few_shot else 0
    print(f"  few-shot heads fitted on the taxonomy's examples: {heads}")
    hits = tagger.tag(texts)
    print_detection(detection_report(predicted_matrix(hits, names), truth, names))
    print_official_setting(evaluation, hits, names)
    if sentiment_model is None:
        print("  aspect polarity: skipped (no sentiment model)")
    else:
        print_polarity(*polarity_accuracy(evaluation, hits))
    zero_shot = [t.model_copy(update={"examples": []}) for t in configured]

    def make_tagger(thresholds: dict[str, float] | None) -> TopicTagger:
        return TopicTagger(zero_shot, encoder, sentiment_model, thresholds,
                           problem_cues=PROBLEM_CUES)  # fmt: skip

    title = "the same taxonomy zero-shot (examples removed), for comparison"
    _, zero_hits = evaluate_taxonomy(title, make_tagger, examples, names)
    print_official_setting(evaluation, zero_hits, names)


def load_semeval2016_restaurants(path: Path) -> list[Example]:
    """SemEval-2016 restaurant sentences (out-of-scope ones left out) with their
    ENTITY#ATTRIBUTE categories and polarities; keyed by review, so a review stays whole."""
    examples = []
    for sentence in ET.parse(path).getroot().iter("sentence"):
        if sentence.get("OutOfScope") == "TRUE":
            continue
        topics = {o.get("category"): o.get("polarity") for o in sentence.iter("Opinion")}
        review = sentence.get("id").split(":")[0]
        examples.append(Example(review, sentence.findtext("text") or "", topics))
    return examples


def entity_attribute(name: str) -> str | None:
    """A two-level topic hit as a SemEval-2016 category: "food/prices" -> "FOOD#PRICES"."""
    entity, _, attribute = name.partition("/")
    return f"{entity.upper()}#{attribute.upper()}" if attribute else None


def restaurants16(data: Path, encoder, sentiment_model, limit: int | None) -> None:
    """SemEval-2016 slot 1 (ENTITY#ATTRIBUTE detection, micro F1) with the two-level taxonomy
    ``bench/restaurant16_topics.toml``, on the reviews its examples do not come from."""
    configured = load_config(RESTAURANT16_TAXONOMY).topic
    examples = subsample(load_semeval2016_restaurants(data / SEMEVAL16_FILE), limit)
    _, evaluation = split_calibration(examples)
    tagger = TopicTagger(configured, encoder, sentiment_model, problem_cues=PROBLEM_CUES)
    hits = tagger.tag([e.text for e in evaluation])
    predicted = [{k: v for k, v in found.items() if k} for found in
                 [{entity_attribute(h.name): h.sentiment for h in f} for f in hits]]  # fmt: skip
    categories = sorted(
        {c for e in evaluation for c in e.topics} | {c for p in predicted for c in p}
    )
    truth = np.array([[c in e.topics for c in categories] for e in evaluation], dtype=bool)
    found = np.array([[c in p for c in categories] for p in predicted], dtype=bool)
    report = detection_report(found, truth, categories)
    print(f"\n=== SemEval-2016 restaurants slot 1 (train file), {RESTAURANT16_TAXONOMY.name}: "
          f"{len(evaluation)} sentences of the reviews no example comes from ===")  # fmt: skip
    print_detection(report)
    if sentiment_model is not None:
        pairs = [(e.topics[c], p[c]) for e, p in zip(evaluation, predicted, strict=True)
                 for c in p if e.topics.get(c) in POLARITIES]  # fmt: skip
        accuracy = sum(g == s for g, s in pairs) / max(len(pairs), 1)
        print(f"  polarity of correctly detected categories: {accuracy:.3f} ({len(pairs)})")


def print_official_setting(
    evaluation: list[Example], hits: list[list], names: Sequence[str]
) -> None:
    """SemEval-2014 scores five categories: here a sentence with no topic (or with the
    taxonomy's fallback topic, anecdotes/miscellaneous) is predicted anecdotes/miscellaneous,
    and gold anecdotes/miscellaneous is one more category to find."""
    predicted = predicted_matrix(hits, names)
    truth = truth_matrix(evaluation, names)
    gold_misc = np.array([e.miscellaneous for e in evaluation])
    found_misc = predicted_matrix(hits, [MISCELLANEOUS])[:, 0]  # the fallback topic, if any
    report = detection_report(
        np.column_stack([predicted, ~predicted.any(1) | found_misc]),
        np.column_stack([truth, gold_misc]),
        [*names, MISCELLANEOUS],
    )
    precision, recall, score = report["micro"]
    print(
        f"  five categories as SemEval-2014 scores them (no topic = {MISCELLANEOUS}): "
        f"micro P {precision:.3f} R {recall:.3f} F1 {score:.3f}"
    )


@dataclass
class LabelledSet:
    title: str
    examples: list[Example]
    topics: list[str]
    note: str = ""
    compare_without_heads: bool = False


def b2b_sets(data: Path, limit: int | None) -> list[LabelledSet]:
    aurea = load_aurea(data / "aurea_app_reviews" / "reviews_data.csv")
    laptops = load_semeval_laptops([data / name for name in LAPTOP_FILES])
    maalej = load_maalej(data / "maalej_app_reviews")
    return [
        LabelledSet("AUREA app reviews", subsample(aurea, limit),
                    ["pricing", "performance", "security", "usability", "reliability"],
                    "never used to train the heads: the held-out check", True),
        LabelledSet("SemEval-2015/16 laptop sentences", subsample(laptops, limit),
                    ["pricing", "support", "usability", "performance"],
                    "the usability head was trained on these sentences"),
        LabelledSet("maalej app reviews (Bug, Feature vs Rating, UserExperience)",
                    subsample(maalej, limit), ["reliability", "features"],
                    "the reliability head was trained on these reviews"),
    ]  # fmt: skip


def default_taxonomy(data: Path, encoder, sentiment_model, limit: int | None) -> None:
    def make_tagger(thresholds: dict[str, float] | None) -> TopicTagger:
        return TopicTagger(DEFAULT_TOPICS, encoder, sentiment_model, thresholds, default_heads(),
                           few_shot=False, problem_cues=PROBLEM_CUES)  # fmt: skip

    sets = b2b_sets(data, limit)
    pooled = pooled_thresholds(make_tagger(None), sets)
    shipped = default_topic_thresholds(encoder)
    print(
        "\n=== default B2B taxonomy: thresholds calibrated on the calibration parts of the three "
        f"sets below taken together ===\n  {pooled}\n  shipped for this encoder (these, "
        f"capped at {MAX_THRESHOLD}; features keeps the default threshold, maalej's Feature label "
        f"being feature requests only): {shipped}"
    )
    for labelled in sets:
        title = f"{labelled.title}, default B2B taxonomy ({labelled.note})"
        evaluation, hits = evaluate_taxonomy(
            title, make_tagger, labelled.examples, labelled.topics, shipped
        )
        if labelled.compare_without_heads:
            without_heads(labelled, encoder)
        polarities = [e.topics.get(n) for e in evaluation for n in labelled.topics]
        if sentiment_model is not None and any(polarities):
            print_polarity(*polarity_accuracy(evaluation, hits))


def without_heads(labelled: LabelledSet, encoder) -> None:
    """The same protocol with the trained heads switched off (zero-shot only)."""

    def make_tagger(thresholds: dict[str, float] | None) -> TopicTagger:
        return TopicTagger(DEFAULT_TOPICS, encoder, None, thresholds, few_shot=False)

    calibration, evaluation = split_calibration(labelled.examples)
    calibrated = calibrate(make_tagger(None), calibration, labelled.topics)
    hits = make_tagger(calibrated).tag([e.text for e in evaluation])
    print(f"  -- without the trained heads (zero-shot), calibrated here: {calibrated}")
    truth = truth_matrix(evaluation, labelled.topics)
    print_detection(
        detection_report(predicted_matrix(hits, labelled.topics), truth, labelled.topics)
    )


def speed(data: Path, encoder_factory, sentiment_model) -> None:
    texts = [e.text for e in load_aurea(data / "aurea_app_reviews" / "reviews_data.csv")]
    texts = texts[-SPEED_TEXTS:]
    tagger = default_topic_tagger(encoder_factory(), sentiment_model, PROBLEM_CUES)
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
        from groundswell.models.sentiment import load_sentiment_model

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
    parser.add_argument(
        "--limit", type=int, default=None, help="N texts of each set, spread evenly"
    )
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--no-sentiment", action="store_true")
    parser.add_argument(
        "--separate-stages",
        action="store_true",
        help="embed each segment on its own with the torch encoder and ask the sentiment model "
        "per segment (the path a configured [model] takes); default: the shared ONNX pass",
    )
    parser.add_argument(
        "--only", choices=["restaurants", "b2b"], help="one part of the bench (default: all)"
    )
    parser.add_argument(
        "--problem-cues",
        action="store_true",
        help="aspect polarity with the tagger's problem-statement rule, as [model] problem_cues "
        "serves it (groundswell/tagging/problem_cues.py); default: the sentiment model alone",
    )
    parser.add_argument(
        "--shared-graph",
        default="student",
        choices=["student", "joint"],
        help="the shared pass's graph ([model] shared_graph)",
    )
    args = parser.parse_args(argv)
    global PROBLEM_CUES
    PROBLEM_CUES = args.problem_cues
    if not args.data.is_dir():
        print(f"topic data not found at {args.data}: nothing measured")
        return
    import torch

    torch.set_num_threads(args.threads)
    from groundswell.models.encoder import load_encoder
    from groundswell.models.shared_encoder import load_shared_encoder

    shared = None if args.separate_stages else load_shared_encoder(args.shared_graph)
    if shared is None:
        print("stages: torch encoder per segment, sentiment model per segment")
        encoder, encoder_factory = MemoEncoder(load_encoder()), load_encoder
    else:
        print(f"stages: one shared ONNX pass per text ({args.shared_graph} graph), "
              "segments read in context")  # fmt: skip
        encoder, encoder_factory = shared, lambda: load_shared_encoder(args.shared_graph)
    sentiment_model = load_sentiment(not args.no_sentiment)
    if args.only in (None, "restaurants"):
        restaurants(args.data, encoder, sentiment_model, args.limit)
        restaurants16(args.data, encoder, sentiment_model, args.limit)
    if args.only in (None, "b2b"):
        default_taxonomy(args.data, encoder, sentiment_model, args.limit)
        speed(args.data, encoder_factory, sentiment_model)


if __name__ == "__main__":
    main()
