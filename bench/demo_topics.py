"""Topics and aspect sentiment of the demo's own sentences, as a new user sees them first.

The demo site writes its reviews and posts from ``groundswell/demo/content.py``'s
``TOPIC_SENTENCES``: each sentence was written for one topic and one polarity. This tags every
one of them alone (its slots filled by a seeded draw), with the taxonomy the demo configuration
uses (``TOPIC_GUIDE``: a description and keywords per topic, no examples, so zero-shot), and
prints per topic how many carry their topic, how many of those read the written polarity, and
how many other topics they carry.

    python bench/demo_topics.py [--seed 7] [--show]

Read alone, a sentence has none of the context a whole review gives it (a review's only
segment is read within the whole text, docs/tagging.md), so this is harder than the demo; it
is a check of the zero-shot taxonomy and the aspect rules, not a score on unseen data: the
demo's sentences were read while its keywords were written.
"""

from __future__ import annotations

import argparse
import random
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from groundswell.config import parse_config  # noqa: E402
from groundswell.demo.content import (  # noqa: E402
    ACME,
    TOPIC_SENTENCES,
    ZENLYTICS,
    demo_topics,
    make_slots,
)
from groundswell.tagging.tagger import Tagger  # noqa: E402


def written_sentences(seed: int) -> list[tuple[str, str, str]]:
    """(topic, polarity, sentence) for every pooled sentence, its slots filled."""
    rng = random.Random(seed)
    return [(topic, polarity, sentence.format(**make_slots(rng, ACME, ZENLYTICS)))
            for topic, pools in TOPIC_SENTENCES.items()
            for polarity, pool in pools.items() for sentence in pool]  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=7, help="slot values' draw")
    parser.add_argument("--show", action="store_true", help="print every miss")
    args = parser.parse_args()
    config = parse_config({"topic": demo_topics()}, ROOT / "groundswell.toml")
    tagger = Tagger(config)
    tagger.load_models()
    rows = written_sentences(args.seed)
    found = tagger.topics.tag([text for _, _, text in rows])
    counts: dict[str, Counter] = {}
    for (topic, polarity, text), hits in zip(rows, found, strict=True):
        got = {hit.name: hit.sentiment for hit in hits}
        tally = counts.setdefault(topic, Counter())
        tally["sentences"] += 1
        tally["carried"] += topic in got
        tally["polarity right"] += got.get(topic) == polarity
        tally["other topics"] += len(set(got) - {topic})
        if args.show and (got.get(topic) != polarity or set(got) - {topic}):
            print(f"  {topic:13} {polarity:8} got {got} | {text[:90]}")
    print(
        f"{'topic':14} {'sentences':>9} {'carried':>8} {'polarity right':>15} {'other topics':>13}"
    )
    total = Counter()
    for topic, tally in counts.items():
        total.update(tally)
        print(f"{topic:14} {tally['sentences']:9} {tally['carried']:8} "
              f"{tally['polarity right']:15} {tally['other topics']:13}")  # fmt: skip
    print(f"{'all':14} {total['sentences']:9} {total['carried']:8} "
          f"{total['polarity right']:15} {total['other topics']:13}")  # fmt: skip


if __name__ == "__main__":
    main()
