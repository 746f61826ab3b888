"""Experts for open questions: who answered questions like this one before.

For each unanswered question (a thread's first post that asks: ``is_question``, kind
``question`` or intent ``question``; not answered, no vendor reply, not a duplicate), the
answered questions whose embeddings (``mention_vectors``) have a cosine similarity of at least
``min_similarity`` are its similar questions (at most ``SIMILAR_LIMIT``, most similar first).
The people who answered them (``answer`` interactions, vendor accounts and the asker left
out) are scored by the summed similarity of the similar questions they answered; the best
``per_question`` are kept with their past answers (docs/community.md).
"""

from __future__ import annotations

import json
from collections import defaultdict

import numpy as np
import sqlite_utils

from groundswell.community.tables import replace_rows
from groundswell.community.vectors import load_vectors
from groundswell.config import account_names
from groundswell.store.schema import utc_now

SIMILAR_LIMIT = 10
BLOCK = 1024  # open questions compared at a time (bounds memory)
ASKS = "(coalesce(m.is_question, 0) = 1 or m.kind = 'question' or m.intent = 'question')"
OPEN = (
    f"m.parent_id is null and {ASKS} and coalesce(m.answered, 0) = 0 "
    "and coalesce(m.vendor_responded, 0) = 0 and m.duplicate_of is null"
)
ANSWERED = (
    f"m.parent_id is null and {ASKS} and m.id in "
    "(select target_id from interactions where kind = 'answer' and coalesce(staff, 0) = 0)"
)
ANSWERERS_SQL = """
select i.target_id, i.from_author, i.platform, i.mention_id from interactions i
where i.kind = 'answer' and coalesce(i.staff, 0) = 0 order by i.at, i.mention_id
"""


def answerers_by_question(db: sqlite_utils.Database, vendors: frozenset[str]) -> dict:
    """answered question id → [(author, platform, answer id)] (vendor accounts left out)."""
    found: dict[str, list[tuple[str, str, str]]] = defaultdict(list)
    for question, author, platform, answer in db.execute(ANSWERERS_SQL):
        if author and author.strip().lower() not in vendors:
            found[question].append((author, platform, answer))
    return found


def experts_for(question: str, asker: str, similar: list[tuple[str, float]], answerers: dict,
                per_question: int, now: str) -> list[dict]:  # fmt: skip
    tally: dict[str, dict] = {}
    for similar_id, similarity in similar:
        for author, platform, answer in answerers.get(similar_id, []):
            if author.strip().lower() == asker:
                continue
            entry = tally.setdefault(author.strip().lower(), {
                "expert": author, "platform": platform, "score": 0.0,
                "similar": [], "answers": []})  # fmt: skip
            if similar_id not in entry["similar"]:
                entry["similar"].append(similar_id)
                entry["score"] += similarity
            entry["answers"].append(answer)
    best = sorted(tally.values(), key=lambda e: (-e["score"], e["expert"]))[:per_question]
    return [
        {
            "question_id": question,
            "expert": e["expert"],
            "platform": e["platform"],
            "rank": rank,
            "score": round(e["score"], 4),
            "similar_questions": json.dumps(e["similar"]),
            "past_answers": json.dumps(e["answers"]),
            "computed_at": now,
        }  # fmt: skip
        for rank, e in enumerate(best, start=1)
    ]


def find_experts(db: sqlite_utils.Database, vendor_accounts=(), min_similarity: float = 0.5,
                 per_question: int = 3) -> list[dict]:  # fmt: skip
    vendors = account_names(vendor_accounts)
    open_ids, open_vectors, space = load_vectors(db, OPEN)
    answered_ids, answered_vectors, answered_space = load_vectors(db, ANSWERED)
    if not open_ids or not answered_ids or space != answered_space:
        return []
    askers = dict(
        db.execute(f"select m.id, lower(coalesce(m.author, '')) from mentions m where {OPEN}")
    )
    answerers = answerers_by_question(db, vendors)
    now, rows = utc_now(), []
    for start in range(0, len(open_ids), BLOCK):
        similarity = open_vectors[start : start + BLOCK] @ answered_vectors.T
        for offset, scores in enumerate(similarity):
            order = np.argsort(-scores)[:SIMILAR_LIMIT]
            similar = [(answered_ids[j], float(scores[j])) for j in order
                       if scores[j] >= min_similarity and answered_ids[j] != open_ids[start + offset]]  # fmt: skip
            question = open_ids[start + offset]
            rows += experts_for(question, askers.get(question, ""), similar, answerers,
                                per_question, now)  # fmt: skip
    return rows


def save_question_experts(db: sqlite_utils.Database, rows: list[dict]) -> None:
    """Replace the whole ``question_experts`` table with ``rows``."""
    replace_rows(db, "question_experts", rows)


def build_experts(db: sqlite_utils.Database, vendor_accounts=(), min_similarity: float = 0.5,
                  per_question: int = 3) -> int:  # fmt: skip
    rows = find_experts(db, vendor_accounts, min_similarity, per_question)
    save_question_experts(db, rows)
    return len(rows)


def experts_of(db: sqlite_utils.Database, question_ids: list[str]) -> dict[str, list[dict]]:
    """The stored experts of each question, best first, with the links to their past answers:
    what an unanswered-question alert shows as "who could answer"."""
    found: dict[str, list[dict]] = defaultdict(list)
    for start in range(0, len(question_ids), 500):
        chunk = question_ids[start : start + 500]
        marks = ",".join("?" * len(chunk))
        rows = db.query(
            f"select question_id, expert, platform, score, similar_questions, past_answers "
            f"from question_experts where question_id in ({marks}) order by question_id, rank",
            chunk,
        )
        for row in rows:
            answers = json.loads(row["past_answers"] or "[]")
            urls = [r[0] for r in db.execute(
                f"select url from mentions where id in ({','.join('?' * len(answers))})", answers
            ) if r[0]] if answers else []  # fmt: skip
            found[row["question_id"]].append({
                "expert": row["expert"], "platform": row["platform"], "score": row["score"],
                "similar_questions": len(json.loads(row["similar_questions"] or "[]")),
                "past_answers": urls[:3],
            })  # fmt: skip
    return found
