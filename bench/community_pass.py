"""The whole community pass (reply graph, ties, defenders, advocates, experts, ideas) over a
generated database of 100,000 tagged mentions. Prints the seconds each run takes.

    python bench/community_pass.py [--mentions 100000] [--db /tmp/community-bench.db]

The data is generated, not crawled: threads on four platforms (a root post and Zipf-sized
reply chains), 20,000 authors of whom a few are very active, monitor matches, sentiment,
intents in real-looking proportions (about 12% feature requests, 20% questions) and 384-d
unit vectors around 600 "idea" and 400 "question topic" centres (two vectors of one centre
at a cosine of about 0.8, as the demo's paraphrases), as the intent stage stores them. Generating takes longer than the pass; only the pass is timed: the first run over
everything (every feature request clustered), then a second run after 1% more mentions
arrive (the incremental path).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from groundswell.community import run_community_pass  # noqa: E402
from groundswell.community.vectors import pack  # noqa: E402
from groundswell.config import Config, SourceConfig  # noqa: E402
from groundswell.store import open_db  # noqa: E402
from groundswell.store.denormalise import drop_triggers, ensure_denormalised  # noqa: E402

PLATFORMS = ("reddit", "discourse", "stackexchange", "appstore")
DIM = 384
IDEA_CENTRES, QUESTION_CENTRES = 600, 400
AUTHORS = 20_000
NOISE = 0.025  # two texts around one centre: cosine about 0.8, as the demo's paraphrases


class Generator:
    def __init__(self, seed: int = 5) -> None:
        self.rng = random.Random(seed)
        self.np = np.random.default_rng(seed)
        self.ideas = self.centres(IDEA_CENTRES)
        self.topics = self.centres(QUESTION_CENTRES)
        weights = 1 / np.arange(1, AUTHORS + 1) ** 0.9
        self.author_draws = iter(self.np.choice(AUTHORS, size=400_000, p=weights / weights.sum()))
        self.count = 0

    def centres(self, count: int) -> np.ndarray:
        centres = self.np.normal(size=(count, DIM)).astype(np.float32)
        return centres / np.linalg.norm(centres, axis=1, keepdims=True)

    def near(self, centres: np.ndarray) -> np.ndarray:
        vector = centres[self.rng.randrange(len(centres))] + self.np.normal(0, NOISE, DIM)
        return (vector / np.linalg.norm(vector)).astype(np.float32)

    def author(self) -> str:
        return f"user{next(self.author_draws)}"

    def mention(self, platform: str, thread: str, parent: str | None, when: float) -> dict:
        self.count += 1
        sentiment = self.rng.choices(("positive", "neutral", "negative"), (0.45, 0.3, 0.25))[0]
        score = {"positive": 0.7, "neutral": 0.0, "negative": -0.7}[sentiment]
        intent = self.rng.choices(
            ("feature_request", "bug_report", "question", "praise", "complaint", "other"),
            (0.12, 0.1, 0.2 if parent is None else 0.05, 0.3, 0.15, 0.13),
        )[0]  # fmt: skip
        author = "acme_support" if parent and self.rng.random() < 0.03 else self.author()
        words = self.rng.randint(5, 160)
        return {
            "id": f"m{self.count}", "source": platform, "source_kind": platform,
            "kind": "comment" if parent else ("question" if intent == "question" else "post"),
            "url": f"http://127.0.0.1/{thread}/{self.count}", "thread_url": f"http://127.0.0.1/{thread}",
            "parent_id": parent, "author": author, "title": None if parent else "A title",
            "body": " ".join(["word"] * words) + (" @user7" if self.rng.random() < 0.05 else ""),
            "published_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(when)),
            "is_question": int(intent == "question" and parent is None),
            "answered": 0, "sentiment": sentiment, "sentiment_score": score, "intent": intent,
            "raw": json.dumps({"score": self.rng.randint(0, 50)}), "tagged_at": "2026-01-01T00:00:00Z",
            "content_hash": f"h{self.count}",
        }  # fmt: skip

    def thread(self, number: int, start: float) -> list[dict]:
        platform = self.rng.choice(PLATFORMS)
        thread = f"t{number}"
        root = self.mention(platform, thread, None, start)
        rows = [root]
        for _ in range(min(60, int(self.np.zipf(1.8))) - 1 if platform != "appstore" else 0):
            parent = self.rng.choice(rows[-3:])["id"]
            rows.append(self.mention(platform, thread, parent, start + 600 * len(rows)))
        root["answered"] = int(len(rows) > 1)
        return rows

    def vector(self, row: dict) -> bytes | None:
        if row["intent"] == "feature_request":
            return pack(self.near(self.ideas))
        if row["intent"] == "question" or row["is_question"]:
            return pack(self.near(self.topics))
        return None


def generate(db, count: int, gen: Generator, start: float) -> None:
    rows: list[dict] = []
    number = gen.count
    while len(rows) < count:
        rows += gen.thread(number, start + 3600 * number / 50)
        number += 1
    rows = rows[:count]
    monitors = [{"mention_id": r["id"], "monitor": "Acme", "competitor": 0}
                for r in rows if gen.rng.random() < 0.4]  # fmt: skip
    vectors = [{"mention_id": r["id"], "space": "student", "vector": v}
               for r in rows if (v := gen.vector(r)) is not None]  # fmt: skip
    phrases = [{"mention_id": r["id"], "phrase": f"phrase {gen.rng.randrange(2000)}", "score": 0.5}
               for r in rows if r["intent"] == "feature_request"]  # fmt: skip
    with db.conn:
        drop_triggers(db)
        db["mentions"].insert_all(rows, pk="id", batch_size=2000)
        db["mention_monitors"].insert_all(monitors, pk=("mention_id", "monitor"), batch_size=5000)
        db["mention_vectors"].insert_all(vectors, pk="mention_id", batch_size=5000)
        db["keyphrases"].insert_all(phrases, pk=("mention_id", "phrase"), batch_size=5000,
                                    ignore=True)  # fmt: skip
    ensure_denormalised(db)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mentions", type=int, default=100_000)
    parser.add_argument("--db", default="/tmp/groundswell-community-bench.db")
    args = parser.parse_args()
    Path(args.db).unlink(missing_ok=True)
    db = open_db(args.db)
    config = Config(source=[SourceConfig(name="x", kind="reddit", url="http://127.0.0.1/",
                                         vendor_accounts=["acme_support"])])  # fmt: skip
    gen = Generator()
    started = time.perf_counter()
    generate(db, args.mentions, gen, time.time() - 86400 * 90)
    print(f"generated {args.mentions} mentions in {time.perf_counter() - started:.0f} s")
    first = run_community_pass(db, config)
    print(f"first pass over {args.mentions} mentions: {first.seconds:.1f} s")
    print(f"  {first.summary()}\n  steps (s): {first.steps}")
    generate(db, args.mentions // 100, gen, time.time() - 86400)
    second = run_community_pass(db, config)
    print(f"second pass after {args.mentions // 100} new mentions: {second.seconds:.1f} s")
    print(f"  {second.summary()}\n  steps (s): {second.steps}")


if __name__ == "__main__":
    main()
