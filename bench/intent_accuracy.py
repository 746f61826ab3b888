"""The intent stage's rules on labelled app reviews: the shipped head alone, then with the
request-cue rule (waived for a rated review the head is sure of, ``waives_the_cue``), the
opinion-polarity rule and the trouble rule (no bug report on a text read positive that names no
trouble) (``groundswell.community.intent``).

Scores the maalej app reviews (``../shared/data/topics/maalej_app_reviews``) on the same
hash split as ``training/train_intent.py``: the 80% "fit" part the head was fitted and its
choices made on, and the 20% test part nothing was chosen on. Polarity is scored twice: from
the text's sentiment as the sentiment stage stores it (a stated problem reads negative,
``groundswell.tagging.problem_cues``), and from the stars as the tagger does for a rated
review (in this data praise / complaint / other are defined by the stars, so that row is an
upper bound).

    python bench/intent_accuracy.py [--data DIR] [--cache FEATURES.npz]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from groundswell.community.intent import (  # noqa: E402
    asks_for_something,
    decide,
    load_intent_head,
    opinion_polarity,
    reports_trouble,
    waives_the_cue,
)
from groundswell.models.sentiment import sentiment_result  # noqa: E402
from groundswell.tagging.problem_cues import read_problem_statements  # noqa: E402
from training.train_intent import (  # noqa: E402
    featurise,
    is_test,
    load_reviews,
    report,
)

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "topics" / "maalej_app_reviews"


def variants(review: dict, p: np.ndarray, sentiment: np.ndarray, head) -> dict:
    mention = {"body": review["text"], "rating": review["stars"]}
    cue = asks_for_something(mention)
    reading = read_problem_statements([review["text"]], [sentiment_result(sentiment)])[0]
    text_polarity = opinion_polarity({}, reading)
    star_polarity = opinion_polarity(mention, reading)
    args = (head.classes, p, False, head.thresholds)
    trouble = reports_trouble(mention, reading)
    waived = waives_the_cue(mention, p[head.classes.index("feature_request")], reading)
    return {
        "head alone": decide(*args)[0],
        "+ request cue": decide(*args, requests=cue)[0],
        "+ request cue + text polarity": decide(*args, requests=cue, polarity=text_polarity)[0],
        "+ request cue + star polarity": decide(*args, requests=cue, polarity=star_polarity)[0],
        "+ cue + text polarity + trouble": decide(
            *args, requests=cue, polarity=text_polarity, trouble=trouble
        )[0],
        "+ cue + star polarity + trouble": decide(
            *args, requests=cue, polarity=star_polarity, trouble=trouble
        )[0],
        "+ cue or sure + text pol. + trouble (shipped)": decide(
            *args, requests=cue or waived, polarity=text_polarity, trouble=trouble
        )[0],
        "+ cue or sure + star pol. + trouble": decide(
            *args, requests=cue or waived, polarity=star_polarity, trouble=trouble
        )[0],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--cache", type=Path, help="features of the reviews, kept between runs")
    args = parser.parse_args()
    reviews = load_reviews(args.data)
    if args.cache and args.cache.exists():
        features = np.load(args.cache)["features"]
    else:
        features = featurise([r["text"] for r in reviews])
        if args.cache:
            np.savez(args.cache, features=features)
    head = load_intent_head()
    probabilities = head.probabilities(features)
    rows = [variants(r, p, f[-3:], head)
            for r, p, f in zip(reviews, probabilities, features, strict=True)]  # fmt: skip
    truth = np.array([r["label"] for r in reviews])
    test = np.array([is_test(r["key"]) for r in reviews])
    print(f"maalej app reviews: {len(reviews)} ({int((~test).sum())} fit, {int(test.sum())} test)")
    for name in rows[0]:
        predicted = np.array([row[name] for row in rows])
        for part, mask in (("fit", ~test), ("test", test)):
            scores = report(truth[mask], predicted[mask])
            per = "  ".join(f"{c[:7]} {s['f1']:.3f}" for c, s in scores["per_class"].items())
            print(f"{name:32s} {part:4s} macro F1 {scores['macro_f1']:.3f}  {per}")


if __name__ == "__main__":
    main()
