"""Idea clustering against real labelled duplicates: precision and recall of "same idea" pairs.

Data: ``bench/data/gitbugs_duplicates/`` (issues of Apache Hadoop's Jira and Mozilla
SeaMonkey's Bugzilla with the trackers' own duplicate links, from the GitBugs data set; see
its SOURCE.md). Each issue (summary and the start of its description) is embedded by the
tagger's shared pass (the same vectors the intent stage stores) and clustered by
``groundswell.community.clustering.assign``, as ``groundswell community`` clusters feature
requests. The gold ideas are the connected components of the duplicate links; every other
issue of the sample is a distractor that should stay alone.

Hadoop is the dev part: the distance threshold is chosen there (best pair F1). The linkage is
average, as the incremental join (mean cosine to an idea's members) is. SeaMonkey is scored
once with that choice, in one pass and fed in 10 arrival-ordered runs (incremental, as new
mentions arrive).

    python bench/idea_clustering.py [--threads 2]
"""

from __future__ import annotations

import argparse
import csv
import itertools
import sys
from collections import defaultdict
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from groundswell.community.clustering import Groups, assign  # noqa: E402

DATA = Path(__file__).resolve().parent / "data" / "gitbugs_duplicates"
DEV, TEST = "hadoop", "seamonkey"
LINKAGE = "average"
DISTANCES = tuple(round(0.1 + 0.025 * i, 3) for i in range(17))  # 0.10 .. 0.50


def load(project: str) -> tuple[list[str], list[str], list[tuple[str, str]]]:
    with open(DATA / "issues.csv", encoding="utf-8", newline="") as handle:
        issues = [r for r in csv.DictReader(handle) if r["project"] == project]
    with open(DATA / "duplicates.csv", encoding="utf-8", newline="") as handle:
        links = [(r["issue"], r["duplicate_of"]) for r in csv.DictReader(handle)
                 if r["project"] == project]  # fmt: skip
    issues.sort(key=lambda r: int(r["issue"]))  # ids grow with time: arrival order
    ids = [r["issue"] for r in issues]
    texts = [f"{r['summary']}. {r['description']}".strip() for r in issues]
    return ids, texts, links


def gold_pairs(ids: list[str], links: list[tuple[str, str]]) -> set[tuple[str, str]]:
    """Pairs in the same connected component of the duplicate links."""
    parent = {i: i for i in ids}

    def root(i: str) -> str:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for a, b in links:
        if a in parent and b in parent:
            parent[root(a)] = root(b)
    return pairs_of({i: root(i) for i in ids})


def pairs_of(labels: dict[str, object]) -> set[tuple[str, str]]:
    groups = defaultdict(list)
    for key, label in labels.items():
        groups[label].append(key)
    return {
        tuple(sorted(p)) for members in groups.values() for p in itertools.combinations(members, 2)
    }


def scores(predicted: set, gold: set) -> tuple[float, float, float]:
    hits = len(predicted & gold)
    precision = hits / len(predicted) if predicted else 1.0
    recall = hits / len(gold) if gold else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def cluster(vectors: np.ndarray, ids: list[str], distance: float, linkage: str,
            runs: int = 1) -> dict[str, object]:  # fmt: skip
    """Cluster labels, the vectors fed in ``runs`` arrival-ordered runs (incremental)."""
    groups = Groups.empty(vectors.shape[1])
    labels: list = []
    for part in np.array_split(np.arange(len(ids)), runs):
        chunk = [ids[i] for i in part]
        labels += assign(vectors[part], chunk, groups, distance, linkage)
    return dict(zip(ids, labels, strict=True))


def embed(texts: list[str], threads: int) -> np.ndarray:
    from groundswell.models.sentiment import normalize_text
    from groundswell.models.shared_encoder import build_shared_encoder

    encoder = build_shared_encoder("student", threads=threads)
    rows = []
    for start in range(0, len(texts), 64):
        rows += [
            e.embedding()
            for e in encoder.encode([normalize_text(t) for t in texts[start : start + 64]])
        ]
    return np.stack(rows).astype(np.float32)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    parts = {}
    for project in (DEV, TEST):
        ids, texts, links = load(project)
        parts[project] = (ids, embed(texts, args.threads), gold_pairs(ids, links))
        print(f"{project}: {len(ids)} issues, {len(parts[project][2])} gold same-idea pairs")
    ids, vectors, gold = parts[DEV]
    results = {d: scores(pairs_of(cluster(vectors, ids, d, LINKAGE)), gold) for d in DISTANCES}
    print(f"dev ({DEV}), {LINKAGE} linkage:")
    for d, (p, r, f) in results.items():
        print(f"  distance {d:.3f}: P {p:.3f} R {r:.3f} F1 {f:.3f}")
    distance = max(results, key=lambda d: (results[d][2], -d))
    print(f"chosen on dev: distance={distance}")
    ids, vectors, gold = parts[TEST]
    for runs in (1, 10):
        p, r, f = scores(pairs_of(cluster(vectors, ids, distance, LINKAGE, runs)), gold)
        print(f"test ({TEST}), {runs} run(s): pair precision {p:.3f} recall {r:.3f} F1 {f:.3f}")


if __name__ == "__main__":
    main()
