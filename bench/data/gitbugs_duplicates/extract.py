"""Rebuild issues.csv and duplicates.csv here from a checkout of av9ash/gitbugs.

    git clone https://github.com/av9ash/gitbugs && git -C gitbugs checkout eadf2d6794990a1aaa26d0ae15391f29f8969301
    python bench/data/gitbugs_duplicates/extract.py gitbugs

Keeps, per project (Hadoop's Jira, SeaMonkey's Bugzilla), every issue named by a duplicate
link whose both ends have text, plus a fixed sample of other issues of the same tracker as
distractors; texts are the summary and the first 300 characters of the description.
"""

from __future__ import annotations

import csv
import random
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
PROJECTS = {
    "hadoop": ("hadoop/hadoop_bugs.csv", "hadoop/hadoop_bugs-combined.csv"),
    "seamonkey": ("seamonkey/SeaMonkey_bugs.csv", "seamonkey/SeaMonkey_bugs-combined.csv"),
}
DISTRACTORS = 400
DESCRIPTION_CHARS = 300


def linked_ids(value: str) -> list[str]:
    cleaned = value.replace("[", "").replace("]", "").replace("'", "")
    return [part.strip().split(".")[0] for part in cleaned.split(",") if part.strip()]


def extract(checkout: Path) -> None:
    csv.field_size_limit(1 << 30)
    issues, links = [], []
    for project, (texts, pairs) in PROJECTS.items():
        with open(checkout / texts, encoding="utf-8", newline="") as handle:
            rows = {r["Issue id"].strip(): r for r in csv.DictReader(handle)}
        with open(checkout / pairs, encoding="utf-8", newline="") as handle:
            reader = csv.reader(handle)
            next(reader)
            found = {(a.strip(), b) for a, value in reader for b in linked_ids(value)}
        found = sorted((a, b) for a, b in found if a in rows and b in rows and a != b)
        linked = {i for pair in found for i in pair}
        others = sorted(set(rows) - linked)
        kept = sorted(linked) + sorted(random.Random(project).sample(others, DISTRACTORS))
        for issue in kept:
            row = rows[issue]
            description = " ".join((row.get("Description") or "").split())[:DESCRIPTION_CHARS]
            issues.append([project, issue, " ".join(row["Summary"].split()), description])
        links += [[project, a, b] for a, b in found]
    write(HERE / "issues.csv", ["project", "issue", "summary", "description"], issues)
    write(HERE / "duplicates.csv", ["project", "issue", "duplicate_of"], links)


def write(path: Path, header: list[str], rows: list[list[str]]) -> None:
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)


if __name__ == "__main__":
    extract(Path(sys.argv[1]))
