"""Tie strength between two people of one platform, from their ``interactions``.

For a pair {a, b} with ``n_ab`` interactions from a to b and ``n_ba`` back (docs/community.md):

    frequency   F = 1 - exp(-(n_ab + n_ba) / FREQUENCY_SCALE)
    recency     R = 0.5 ** (days since their last interaction / half_life_days)
    reciprocity P = min(n_ab, n_ba) / max(n_ab, n_ba)
    intensity   I = mean over their interactions of
                    0.5 * min(1, words / INTENSE_WORDS) + 0.5 * |sentiment score|
    strength    S = 0.4 F + 0.2 R + 0.2 P + 0.2 I          (each term in 0..1)

``tone`` (mean sentiment score, -1..1) says whether the exchanges are friendly; it does not
enter the strength. ``staff`` marks a tie with a vendor account (staff-to-customer).
"""

from __future__ import annotations

import math
from datetime import datetime

import sqlite_utils

from groundswell.alerts.messages import parse_iso
from groundswell.community.tables import replace_rows

FREQUENCY_SCALE = 5.0
INTENSE_WORDS = 100.0
WEIGHTS = {"frequency": 0.4, "recency": 0.2, "reciprocity": 0.2, "intensity": 0.2}


PAIRS_SQL = f"""
select platform, min(from_author, to_author) as a, max(from_author, to_author) as b,
       sum(from_author = min(from_author, to_author)) as a_to_b, count(*) as interactions,
       min(at) as first_at, max(at) as last_at,
       avg(0.5 * min(1.0, coalesce(words, 0) / {INTENSE_WORDS})
           + 0.5 * min(1.0, abs(coalesce(sentiment_score, 0.0)))) as intensity,
       avg(sentiment_score) as tone, max(coalesce(staff, 0)) as staff
from interactions group by platform, a, b
"""


def tie_row(pair: dict, now: datetime, half_life_days: float) -> dict:
    """One tie from its pair's aggregates (``PAIRS_SQL``): the formula above."""
    n, a_to_b = pair["interactions"], pair["a_to_b"]
    b_to_a = n - a_to_b
    last = parse_iso(pair["last_at"])
    days = max(0.0, (now - last).total_seconds() / 86400) if last else math.inf
    terms = {
        "frequency": 1 - math.exp(-n / FREQUENCY_SCALE),
        "recency": 0.5 ** (days / half_life_days) if last else 0.0,
        "reciprocity": min(a_to_b, b_to_a) / max(a_to_b, b_to_a),
        "intensity": pair["intensity"] or 0.0,
    }
    return {
        "platform": pair["platform"], "author_a": pair["a"], "author_b": pair["b"],
        "a_to_b": a_to_b, "b_to_a": b_to_a, "interactions": n,
        "first_at": pair["first_at"], "last_at": pair["last_at"],
        **{key: round(value, 4) for key, value in terms.items()},
        "tone": round(pair["tone"], 4) if pair["tone"] is not None else None,
        "strength": round(sum(WEIGHTS[k] * v for k, v in terms.items()), 4),
        "staff": pair["staff"],
    }  # fmt: skip


def compute_ties(
    db: sqlite_utils.Database, now: datetime, half_life_days: float = 30.0
) -> list[dict]:
    """One tie per unordered pair of authors (as written, per platform) in ``interactions``."""
    return [tie_row(pair, now, half_life_days) for pair in db.query(PAIRS_SQL)]


def save_ties(db: sqlite_utils.Database, rows: list[dict]) -> None:
    """Replace the whole ``ties`` table with ``rows``."""
    replace_rows(db, "ties", rows)


def build_ties(db: sqlite_utils.Database, now: datetime, half_life_days: float = 30.0) -> int:
    rows = compute_ties(db, now, half_life_days)
    save_ties(db, rows)
    return len(rows)
