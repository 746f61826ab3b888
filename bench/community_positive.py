"""How far to trust a positive reading for defences and candidate advocates.

Scores the sentiment model's dev split (``training/tune_student.py``'s dev sample: the split
every sentiment choice is made on) through the served shared pass and prints, for the forum
posts and the tweets, how often a text the model reads positive is gold positive, for every
texts read positive and for those whose score (P(positive) - P(negative)) reaches each
threshold; then the lowest threshold whose pooled precision reaches ``--target``.
``groundswell.community.positive.CONFIDENT_POSITIVE`` is that threshold (0.7 at 85%).

    python bench/community_positive.py [--target 0.85]
"""

from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from groundswell.models.sentiment import normalize_text  # noqa: E402
from groundswell.models.shared_encoder import build_shared_encoder  # noqa: E402
from training.sentiment_data import load_sentiment_data  # noqa: E402
from training.train_sentiment import DEFAULT_DATA  # noqa: E402
from training.tune_student import dev_groups, dev_sample  # noqa: E402

THRESHOLDS = (0.0, 0.2, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)


def dev_probabilities(texts: list[str]) -> np.ndarray:
    encoder = build_shared_encoder("student", threads=2)
    rows = []
    for start in range(0, len(texts), 256):
        batch = [normalize_text(t) for t in texts[start : start + 256]]
        rows += [e.sentiment_probabilities() for e in encoder.encode(batch)]
    return np.array(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--target", type=float, default=0.85, help="pooled precision wanted")
    args = parser.parse_args()
    random.seed(13)
    data = load_sentiment_data(DEFAULT_DATA, 13, 4000, tweets=30000)
    dev = dev_sample(data.dev, 200, 13)
    gold, groups = np.array([r.label for r in dev]), dev_groups(dev)
    probabilities = dev_probabilities([r.text for r in dev])
    predicted, score = probabilities.argmax(1), probabilities[:, 2] - probabilities[:, 0]
    rows = np.concatenate([groups["forums"], groups["tweets"]])
    chosen = None
    print("threshold  forums: n, precision   tweets: n, precision   pooled precision")
    for threshold in THRESHOLDS:
        cells = []
        for part in (groups["forums"], groups["tweets"], rows):
            kept = part[(predicted[part] == 2) & (score[part] >= threshold)]
            cells.append((len(kept), float((gold[kept] == 2).mean()) if len(kept) else 0.0))
        print(f"{threshold:9.1f}  {cells[0][0]:6d}, {cells[0][1]:.3f}        "
              f"{cells[1][0]:6d}, {cells[1][1]:.3f}        {cells[2][1]:.3f}")  # fmt: skip
        if chosen is None and cells[2][1] >= args.target:
            chosen = threshold
    print(f"lowest threshold with pooled precision >= {args.target}: {chosen}")


if __name__ == "__main__":
    main()
