"""Sentiment on text the model was never trained or tuned on, as the tagger serves it.

* the held-out review sources (``training/sentiment_data.py: HELD_OUT_SOURCES``, whole files
  kept out of training and of every choice): for rated reviews, how often the text's label
  agrees with 1-2 / 4-5 stars (a neutral label counts as disagreeing), and by the sign of the
  score; for the human-labelled forum source, macro recall;
* the reported half of TweetEval val (the other half is the dev split choices were made on):
  macro recall, accuracy, and the share of gold-neutral tweets read as negative;
* the contrast and negation set written for issue 14 (``tests/contrast_sentiment.csv``);
* rated reviews in a language the models do not read, which the tagger leaves unlabelled: how
  the model reads them anyway, and what leaving them out costs the held-out agreement.

    python bench/review_sentiment.py [DATA_DIR] [--student DIR ...] [--threads 2]

The shipped student is scored as served (with the tagger's problem-statement rule) and alone;
``--student`` scores other student artifacts too (each column is one model, same texts).
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from groundswell.models.evaluate import evaluate  # noqa: E402
from groundswell.models.sentiment import LABELS, normalize_text  # noqa: E402
from groundswell.tagging.problem_cues import read_problem_statements  # noqa: E402
from training.sentiment_data import HELD_OUT_SOURCES, review_rows, tweeteval_halves  # noqa: E402
from training.train_sentiment import DEFAULT_DATA  # noqa: E402

CONTRAST_SET = ROOT / "tests" / "contrast_sentiment.csv"


def read_contrast_set(path: Path = CONTRAST_SET) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def scorers(student: Path | None, threads: int, without_rule_too: bool = False) -> list:
    """(texts -> (labels, scores), version) through a student's int8 shared pass, batches of
    256, with the tagger's problem-statement rule (``groundswell/tagging/problem_cues.py``);
    with ``without_rule_too`` a second column without it, read from the same pass."""
    from groundswell.models.shared_encoder import build_shared_encoder

    shared = build_shared_encoder("student", threads, student_dir=student)
    last: dict[tuple, list] = {}  # the model's results for the texts both columns read

    def model_results(texts: list[str]) -> list:
        if tuple(texts) not in last:
            prepared = [normalize_text(t) for t in texts]
            results = []
            for start in range(0, len(prepared), 256):
                results += shared.sentiments(shared.encode(prepared[start : start + 256]))
            last.clear()
            last[tuple(texts)] = results
        return last[tuple(texts)]

    def with_rule(texts: list[str]) -> tuple[list[str], np.ndarray]:
        return labels_and_scores(read_problem_statements(texts, model_results(texts)))

    def alone(texts: list[str]) -> tuple[list[str], np.ndarray]:
        return labels_and_scores(model_results(texts))

    columns = [(with_rule, shared.model_version + " + problem cues")]
    if without_rule_too:
        columns.append((alone, shared.model_version + " alone"))
    return columns


def labels_and_scores(results: list) -> tuple[list[str], np.ndarray]:
    return [r.label for r in results], np.array([r.score for r in results])


def star_agreement(rows, labels: list[str], scores: np.ndarray) -> tuple[float, float, int]:
    """(label agreement, agreement by the sign of the score, n) on 1-2 / 4-5 star rows."""
    polar = [
        i for i, r in enumerate(rows) if r.rating is not None and (r.rating <= 2 or r.rating >= 4)
    ]
    stars = np.array(["negative" if rows[i].rating <= 2 else "positive" for i in polar])
    by_label = np.array([labels[i] for i in polar]) == stars
    by_sign = np.where(scores[polar] >= 0, "positive", "negative") == stars
    return float(by_label.mean()), float(by_sign.mean()), len(polar)


def held_out_report(rows_by_source: dict, models: list) -> dict:
    """Prints each held-out source's figures; returns the first model's (labels, scores) of
    each, for ``unread_report``."""
    first: dict[str, tuple] = {}
    print("\n=== held-out review sources (never trained on, never chosen on) ===")
    pooled: dict[str, list] = defaultdict(list)
    for source in HELD_OUT_SOURCES:
        rows = rows_by_source[source]
        texts = [r.text for r in rows]
        cells = []
        for score, _ in models:
            labels, scores = score(texts)
            first.setdefault(source, (labels, scores))
            if rows[0].rating is None:
                result = evaluate([LABELS[r.label] for r in rows], labels)
                cells.append(
                    f"macro recall {result['macro_recall']:.3f} acc {result['accuracy']:.3f}"
                )
            else:
                agree, sign, n = star_agreement(rows, labels, scores)
                cells.append(f"stars agree {agree:.3f} (by sign {sign:.3f}, n={n})")
                pooled[score].append((agree * n, n))
        print(f"  {source:<26}" + " | ".join(cells))
    cells = [
        f"{sum(a for a, _ in pooled[s]) / sum(n for _, n in pooled[s]):.3f}" for s, _ in models
    ]
    print(f"  {'rated sources, pooled':<26}stars agree " + " | ".join(cells))
    return first


def tweeteval_report(data: Path, models: list) -> None:
    _, report = tweeteval_halves(data)
    gold = [LABELS[r.label] for r in report]
    print(
        f"\n=== TweetEval val, the reported half ({len(report)} tweets; the other half is dev) ==="
    )
    for score, version in models:
        labels, _ = score([r.text for r in report])
        result = evaluate(gold, labels)
        neutral = [p for g, p in zip(gold, labels, strict=True) if g == "neutral"]
        tilt = neutral.count("negative") / len(neutral)
        print(f"  {version:<34} macro recall {result['macro_recall']:.4f} accuracy "
              f"{result['accuracy']:.4f}; gold-neutral read as negative {tilt:.1%}")  # fmt: skip


def contrast_report(models: list) -> None:
    items = read_contrast_set()
    print(
        f"\n=== contrast and negation set ({len(items)} sentences, tests/contrast_sentiment.csv) ==="
    )
    for score, version in models:
        labels, scores = score([item["text"] for item in items])
        right = defaultdict(list)
        for item, label in zip(items, labels, strict=True):
            right[item["phenomenon"]].append(label == item["label"])
            right["all"].append(label == item["label"])
        polar = [i for i, item in enumerate(items) if item["label"] != "neutral"]
        sign = np.mean([(scores[i] >= 0) == (items[i]["label"] == "positive") for i in polar])
        parts = ", ".join(f"{k} {np.mean(v):.2f} ({len(v)})" for k, v in sorted(right.items()))
        print(f"  {version:<34} {parts}; polar by sign {sign:.2f}")
        wrong = [f"{item['label']}->{label}: {item['text']}"
                 for item, label in zip(items, labels, strict=True) if label != item["label"]]  # fmt: skip
        for line in wrong:
            print(f"      {line}")


def unread_report(rows_by_source: dict, models: list, held_out_readings: dict) -> None:
    """Rated reviews of every source that the tagger leaves unread (a language the models do
    not read, ``unread_flags``): how the model would read them if it were asked, and what
    leaving them unlabelled costs the held-out sources' text-only agreement with the stars
    (from the first model's ``held_out_readings``, ``held_out_report``'s)."""
    from groundswell.tagging.language import detect_languages, unread_flags

    print("\n=== rated reviews the tagger leaves unread (not English, lingua >= 0.7 sure) ===")
    score, version = models[0]
    unread, held_out = [], {}
    for source, rows in rows_by_source.items():
        rated = [r for r in rows if r.rating is not None]
        texts = [r.text for r in rated]
        flags = unread_flags(texts, detect_languages(texts)) if texts else []
        unread += [r for r, flag in zip(rated, flags, strict=True) if flag]
        if source in HELD_OUT_SOURCES and rated:
            held_out[source] = (rated, flags)
    labels, _ = score([r.text for r in unread])
    for stars, want, test in (("1-2", "negative", lambda r: r.rating <= 2),
                              ("4-5", "positive", lambda r: r.rating >= 4)):  # fmt: skip
        read = [label for r, label in zip(unread, labels, strict=True) if test(r)]
        share = read.count(want) / len(read) if read else float("nan")
        print(
            f"  {version}: {stars} stars read {want}: {read.count(want)} of {len(read)} "
            f"({share:.0%})"
        )
    for source, (rows, flags) in held_out.items():
        labels, scores = held_out_readings[source]  # every row of a rated held-out source is rated
        served = [None if flag else label for label, flag in zip(labels, flags, strict=True)]
        agree, _, n = star_agreement(rows, labels, scores)
        unlabelled, _, _ = star_agreement(rows, served, scores)
        print(
            f"  held out {source:<24} {sum(flags)} unread; stars agree {agree:.3f}, "
            f"{unlabelled:.3f} with the unread unlabelled (n={n})"
        )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("data", nargs="?", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--student", type=Path, nargs="*", default=[],
                        help="other student artifact folders to score beside the shipped one")  # fmt: skip
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args(argv)
    start = time.perf_counter()
    models = scorers(None, args.threads, without_rule_too=True)
    models += [column for p in args.student for column in scorers(p, args.threads)]
    print("models: " + ", ".join(version for _, version in models))
    contrast_report(models)
    if not (args.data / "sentiment" / "reviews").is_dir():
        print(f"\nreview data not found under {args.data}: held-out figures skipped")
        return
    rows_by_source = review_rows(args.data)
    readings = held_out_report(rows_by_source, models)
    unread_report(rows_by_source, models, readings)
    tweeteval_report(args.data, models)
    print(f"\n({time.perf_counter() - start:.0f} s)")


if __name__ == "__main__":
    main()
