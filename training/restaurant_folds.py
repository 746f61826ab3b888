"""Three-fold estimate of SemEval-2014 five-category F1 for ``bench/restaurant_topics.toml``'s
recipe with more examples than its calibration part holds (docs/tagging.md, "SemEval-2014
category F1: what was tried").

The restaurant train file is cut in three by a hash of the sentence id; each third is tagged
with the bench's taxonomy whose examples are every sentence of the other two thirds (or, with
``--examples one``, of one other third), and scored as the bench scores the evaluation part.

    python -m training.restaurant_folds [DATA_DIR] [--examples other|one] [--c 3.0]
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT / "bench"))

import topic_accuracy as bench  # noqa: E402

import training.restaurant_examples as examples  # noqa: E402
from groundswell.models.shared_encoder import load_shared_encoder  # noqa: E402
from groundswell.tagging import topic_heads  # noqa: E402
from groundswell.tagging.topics import TopicTagger  # noqa: E402
from training.train_topics import DEFAULT_DATA  # noqa: E402

FOLDS = 3


def fold_of(sentence_id: str) -> int:
    return int(hashlib.sha256(f"cv:{sentence_id}".encode()).hexdigest(), 16) % FOLDS


def fold_taxonomy(path: Path, fold: int, one_other: bool) -> list:
    """The bench's taxonomy with every sentence of the other folds (or the next one) as examples."""
    if one_other:
        sentences = examples.category_sentences(path, lambda i: fold_of(i) == (fold + 1) % FOLDS)
    else:
        sentences = examples.category_sentences(path, lambda i: fold_of(i) != fold)
    return examples.loaded_taxonomy(sentences, 100_000)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("data", nargs="?", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--examples", choices=("other", "one"), default="other")
    parser.add_argument("--c", type=float, default=topic_heads.REGULARISATION_C)
    args = parser.parse_args(argv)
    topic_heads.REGULARISATION_C = args.c
    path = args.data / examples.SEMEVAL_FILE
    sentences = bench.load_semeval2014_restaurants(path)
    encoder = load_shared_encoder("student")
    for fold in range(FOLDS):
        configured = fold_taxonomy(path, fold, args.examples == "one")
        names = [t.name for t in configured if not t.fallback]
        tagged = [e for e in sentences if fold_of(e.key) == fold]
        hits = TopicTagger(configured, encoder, None).tag([e.text for e in tagged])
        count = sum(len(t.examples) for t in configured)
        print(f"fold {fold}: {len(tagged)} sentences tagged, {count} examples")
        bench.print_official_setting(tagged, hits, names)


if __name__ == "__main__":
    main()
