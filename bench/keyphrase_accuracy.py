"""Keyphrases against people's annotations: SemEval-2016 restaurant reviews' opinion targets
("the food", "sushi", "staff": what each opinion is about), as the tagger serves keyphrases.

Each review (its sentences joined) is one mention, tagged with the keyphrases stage alone. A
keyphrase matches a target when one holds the other as whole words ("spicy tuna roll" and
"tuna roll"). Precision: the share of keyphrases (up to 5 a review) that match a target of
their review; recall: the share of a review's distinct targets some keyphrase matches.

Reviews are cut in two by a hash of their id: the dev half is for choices (candidate filters),
the test half is reported beside it and not chosen on.

    python bench/keyphrase_accuracy.py [DATA_DIR] [--show 5]
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from groundswell.config import Config  # noqa: E402
from groundswell.tagging.tagger import Tagger  # noqa: E402

DEFAULT_DATA = ROOT.parent / "shared" / "data" / "topics"
REVIEWS = Path("semeval2016") / "ABSA16_Restaurants_Train_SB1_v2.xml"


def load_reviews(path: Path) -> list[dict]:
    """Per review: id, text (sentences joined) and its distinct lowercase opinion targets."""
    reviews = []
    for review in ET.parse(path).getroot().iter("Review"):
        sentences = [s.findtext("text") or "" for s in review.iter("sentence")]
        targets = {o.get("target", "").lower().strip() for o in review.iter("Opinion")}
        targets.discard("null")
        targets.discard("")
        reviews.append({"id": review.get("rid"), "body": " ".join(sentences), "targets": targets})
    return reviews


def is_dev(review_id: str) -> bool:
    return int(hashlib.sha256(f"keyphrases:{review_id}".encode()).hexdigest(), 16) % 2 == 0


def matches(phrase: str, target: str) -> bool:
    """One holds the other as whole words."""
    a, b = f" {phrase} ", f" {' '.join(target.split())} "
    return a in b or b in a


def score(reviews: list[dict], phrases: list[list[str]]) -> tuple[float, float, int]:
    """(precision, recall, keyphrases) over the reviews."""
    hits = found = total = 0
    for review, picked in zip(reviews, phrases, strict=True):
        hits += sum(any(matches(p, t) for t in review["targets"]) for p in picked)
        found += sum(any(matches(p, t) for p in picked) for t in review["targets"])
        total += len(review["targets"])
    count = sum(len(p) for p in phrases)
    return hits / max(count, 1), found / max(total, 1), count


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("data", nargs="?", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--show", type=int, default=0, help="print N reviews' keyphrases")
    args = parser.parse_args(argv)
    if not (args.data / REVIEWS).exists():
        sys.exit(f"SemEval-2016 restaurants not found at {args.data / REVIEWS}")
    reviews = [r for r in load_reviews(args.data / REVIEWS) if r["targets"]]
    tagger = Tagger(Config(), stages=["keyphrases"])
    phrases = []
    for start in range(0, len(reviews), 64):
        tagged = tagger.tag(reviews[start : start + 64])
        phrases += [[k["phrase"] for k in t.keyphrases] for t in tagged.mentions]
    for name, wanted in (("dev", True), ("test", False)):
        part = [i for i, r in enumerate(reviews) if is_dev(r["id"]) == wanted]
        precision, recall, count = score([reviews[i] for i in part], [phrases[i] for i in part])
        print(f"{name} half: {len(part)} reviews, {count} keyphrases: "
              f"precision {precision:.3f}, target recall {recall:.3f}")  # fmt: skip
    for review, picked in list(zip(reviews, phrases, strict=True))[: args.show]:
        print(f"- {sorted(review['targets'])}\n  {picked}")


if __name__ == "__main__":
    main()
