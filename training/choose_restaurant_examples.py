"""How many SemEval-2014 examples a topic of ``bench/restaurant_topics.toml`` should take
(``training/restaurant_examples.py: PER_TOPIC``), chosen on a dev part of the calibration part.

The bench measures on the train file's 70% evaluation part, so the choice is made inside the
other 30%: 2 in 5 of its sentences (by another hash) are the dev part, the rest give the
examples, and each count is scored on the dev part as the bench scores the evaluation part
(five categories, a sentence with no topic is anecdotes/miscellaneous).

    python -m training.choose_restaurant_examples [--counts 50 100 150 400]
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
from groundswell.tagging.topics import TopicTagger  # noqa: E402
from training.train_topics import DEFAULT_DATA, is_calibration  # noqa: E402


def is_dev(sentence_id: str) -> bool:
    """2 in 5 of the sentences, by a hash of their own (only the calibration part's are used)."""
    return int(hashlib.sha256(f"dev:{sentence_id}".encode()).hexdigest(), 16) % 5 < 2


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("data", nargs="?", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--counts", type=int, nargs="+", default=[50, 100, 150, 400])
    args = parser.parse_args(argv)
    path = args.data / examples.SEMEVAL_FILE
    sentences = examples.category_sentences(path, lambda i: is_calibration(i) and not is_dev(i))
    dev = [e for e in bench.load_semeval2014_restaurants(path)
           if is_calibration(e.key) and is_dev(e.key)]  # fmt: skip
    print(f"dev part: {len(dev)} sentences; examples available: "
          f"{ {c: len(s) for c, s in sentences.items()} }")  # fmt: skip
    encoder = load_shared_encoder("student")
    for count in args.counts:
        configured = examples.loaded_taxonomy(sentences, count)
        names = [t.name for t in configured if not t.fallback]
        hits = TopicTagger(configured, encoder, None).tag([e.text for e in dev])
        print(f"{count} examples a topic:")
        bench.print_official_setting(dev, hits, names)


if __name__ == "__main__":
    main()
