"""Ideas: feature requests de-duplicated into ideas a product team can rank and track.

Every mention tagged ``feature_request`` (not a duplicate) whose embedding is stored joins an
idea (``groundswell.community.clustering``: an existing idea when it is close enough, else a
new idea clustered from the run's other new requests). An idea's id is made from its first
mention's id and never changes; ``idea_mentions`` remembers who joined what, so only new
requests are clustered on each run. A mention that is no longer a feature request (re-tagged,
pruned) leaves its idea; an emptied idea is deleted unless the team has given it a status.

Each idea is named by the key phrases its mentions share most (weighted against phrases every
idea uses) and carries its mentions,
distinct authors, votes, sources, first/last seen, mean sentiment and a ``status`` the team
sets (``set_idea_status``): new, planned, shipped or declined.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections import Counter, defaultdict

import numpy as np
import sqlite_utils

from groundswell.community.clustering import Groups, assign
from groundswell.community.reach import mention_reach
from groundswell.community.vectors import load_vectors, pack, unpack
from groundswell.errors import GroundswellError
from groundswell.store.schema import utc_now
from groundswell.store.transaction import transaction

STATUSES = ("new", "planned", "shipped", "declined")
NAME_PHRASES = 3
REQUESTS = "m.intent = 'feature_request' and m.duplicate_of is null"
SQL_CHUNK = 500


class IdeaError(GroundswellError, ValueError):
    """An unknown idea or status."""


def idea_id(first_mention_id: str) -> str:
    return "idea-" + hashlib.sha1(first_mention_id.encode()).hexdigest()[:10]


def drop_departed(db: sqlite_utils.Database) -> set[str]:
    """Remove memberships of mentions that are no longer feature requests; the ideas touched."""
    departed = db.execute(
        "select mention_id, idea_id from idea_mentions where mention_id not in "
        f"(select m.id from mentions m where {REQUESTS})"
    ).fetchall()
    with transaction(db):
        for mention_id, _ in departed:
            db.execute("delete from idea_mentions where mention_id = ?", [mention_id])
    return {idea for _, idea in departed}


def load_groups(db: sqlite_utils.Database, dim: int) -> Groups:
    rows = db.execute("select idea_id, members, vector from idea_centroids order by idea_id")
    kept = [(g, n, unpack(blob)) for g, n, blob in rows.fetchall() if n]
    kept = [(g, n, v) for g, n, v in kept if len(v) == dim]
    if not kept:
        return Groups.empty(dim)
    return Groups(np.stack([v for _, _, v in kept]), np.array([n for _, n, _ in kept]),
                  [g for g, _, _ in kept])  # fmt: skip


def new_requests(db: sqlite_utils.Database) -> tuple[list[str], np.ndarray]:
    """Feature requests with a vector and no idea yet, oldest first."""
    ids, vectors, _ = load_vectors(
        db, f"{REQUESTS} and m.id not in (select mention_id from idea_mentions)"
    )
    if not ids:
        return [], vectors
    published = dict(db.execute(
        f"select m.id, coalesce(m.published_at, '') from mentions m where {REQUESTS}"
    ).fetchall())  # fmt: skip
    order = sorted(range(len(ids)), key=lambda i: (published.get(ids[i], ""), ids[i]))
    return [ids[i] for i in order], vectors[order]


def assign_new_requests(db: sqlite_utils.Database, distance: float, linkage: str) -> set[str]:
    """Put every new feature request into an idea; return the ideas that changed."""
    ids, vectors = new_requests(db)
    if not ids:
        return set()
    groups = load_groups(db, vectors.shape[1])
    assigned = assign(vectors, ids, groups, distance, linkage, new_id=idea_id)
    centre = {gid: groups.means[i] for i, gid in enumerate(groups.ids)}
    now = utc_now()
    rows = [
        {"mention_id": m, "idea_id": g, "similarity": round(float(v @ centre[g]), 4),
         "joined_at": now}
        for m, g, v in zip(ids, assigned, vectors, strict=True)
    ]  # fmt: skip
    counts = dict(zip(groups.ids, groups.counts.tolist(), strict=True))
    with transaction(db):
        db["idea_mentions"].insert_all(rows, pk="mention_id", replace=True)
        db["idea_centroids"].insert_all(
            [{"idea_id": g, "members": counts[g], "vector": pack(centre[g])}
             for g in set(assigned)],
            pk="idea_id", replace=True,
        )  # fmt: skip
    return set(assigned)


def refresh_centroids(db: sqlite_utils.Database, ideas: set[str]) -> None:
    """Recompute the means of ``ideas`` from their members (after members left)."""
    for idea in ideas:
        _, vectors, _ = load_vectors(
            db, "m.id in (select mention_id from idea_mentions where idea_id = ?)", [idea]
        )
        with transaction(db):
            if len(vectors):
                db["idea_centroids"].insert(
                    {"idea_id": idea, "members": len(vectors), "vector": pack(vectors.mean(0))},
                    pk="idea_id", replace=True,
                )  # fmt: skip
            else:
                db.execute("delete from idea_centroids where idea_id = ?", [idea])


MEMBERS_SQL = """
select im.idea_id, m.id, m.author, m.source, m.published_at, m.sentiment_score, m.raw,
       m.title, m.body, im.similarity
from idea_mentions im join mentions m on m.id = im.mention_id
order by im.idea_id, m.published_at, m.id
"""
PHRASES_SQL = """
select k.mention_id, k.phrase, k.score from keyphrases k
join idea_mentions im on im.mention_id = k.mention_id
"""


def idea_name(phrases: list[list[tuple[str, float]]], fallback: str,
              idea_frequency: Counter, ideas: int,
              texts: list[str] | None = None) -> tuple[str, list[str]]:  # fmt: skip
    """The idea's name and phrases: the key phrases its mentions share most, weighted like
    TF-IDF by how few other ideas use them. A member shares a phrase when the phrase is one of
    its key phrases or, given ``texts`` (the members' title and body), when its text says it
    (phrases of two words or more). A phrase found in more than a quarter of all ideas (in more
    than one, while there are fewer than eight: a brand name), or a part of such a phrase, is
    only used when nothing else is left."""
    counts: Counter = Counter()
    scores: Counter = Counter()
    for member in phrases:
        for phrase, score in {p.lower(): s for p, s in member}.items():
            counts[phrase] += 1
            scores[phrase] += score or 0.0
    if texts:
        lowered = [" ".join(text.lower().split()) for text in texts]
        # words of more than one word only: a lone word ("inbox") is in every text of a theme
        counts = Counter({p: max(n, sum(p in text for text in lowered)) if " " in p else n
                          for p, n in counts.items()})  # fmt: skip
    common = max(1, ideas // 4)
    brands = {p for p in counts if idea_frequency[p] > common}
    brands |= {p for p in counts for b in list(brands) if p in b}

    def weight(phrase: str) -> float:
        return counts[phrase] * math.log(1 + ideas / max(idea_frequency[phrase], 1))

    ranked = sorted(counts, key=lambda p: (p in brands, -weight(p), -scores[p], p))
    distinctive = [p for p in ranked if p not in brands] or ranked
    shared = [p for p in distinctive if counts[p] > 1] or distinctive
    chosen: list[str] = []
    for phrase in shared:
        if not any(phrase in kept or kept in phrase for kept in chosen):
            chosen.append(phrase)
        if len(chosen) == NAME_PHRASES:
            break
    return (", ".join(chosen) if chosen else fallback), chosen


def fallback_name(member: dict) -> str:
    text = member["title"] or member["body"] or member["id"]
    words = " ".join(text.split()).split(" ")
    return " ".join(words[:8]) + ("…" if len(words) > 8 else "")


def idea_row(idea: str, members: list[dict], phrases: dict, naming: tuple, known: dict,
             now: str) -> dict:  # fmt: skip
    texts = [f"{m['title'] or ''} {m['body'] or ''}" for m in members]
    name, keyphrases = idea_name([phrases.get(m["id"], []) for m in members],
                                 fallback_name(members[0]), *naming, texts=texts)  # fmt: skip
    scores = [m["sentiment_score"] for m in members if m["sentiment_score"] is not None]
    moments = sorted(m["published_at"] for m in members if m["published_at"])
    example = max(members, key=lambda m: (m["similarity"] or 0.0, m["id"]))
    previous = known.get(idea, {})
    return {
        "id": idea, "name": name, "keyphrases": json.dumps(keyphrases),
        "status": previous.get("status") or "new", "mentions": len(members),
        "authors": len({(m["author"] or m["id"]).strip().lower() for m in members}),
        "votes": sum(mention_reach(m["raw"])[0] for m in members),
        "sources": json.dumps(sorted({m["source"] for m in members if m["source"]})),
        "first_seen": moments[0] if moments else None,
        "last_seen": moments[-1] if moments else None,
        "sentiment": round(sum(scores) / len(scores), 4) if scores else None,
        "example_id": example["id"], "created_at": previous.get("created_at") or now,
        "updated_at": now, "status_changed_at": previous.get("status_changed_at"),
    }  # fmt: skip


def refresh_ideas(db: sqlite_utils.Database) -> int:
    """Recompute every idea's name and figures from its members; drop emptied new ideas."""
    members: dict[str, list[dict]] = defaultdict(list)
    for row in db.query(MEMBERS_SQL):
        members[row["idea_id"]].append(row)
    phrases: dict[str, list[tuple[str, float]]] = defaultdict(list)
    for mention_id, phrase, score in db.execute(PHRASES_SQL):
        phrases[mention_id].append((phrase, score))
    known = {row["id"]: row for row in db.query("select * from ideas")}
    idea_frequency: Counter = Counter()
    for found in members.values():
        idea_frequency.update({p.lower() for m in found for p, _ in phrases.get(m["id"], [])})
    naming = (idea_frequency, len(members))
    now = utc_now()
    rows = [idea_row(idea, found, phrases, naming, known, now) for idea, found in members.items()]
    emptied = [i for i in known if i not in members]
    with transaction(db):
        db["ideas"].upsert_all(rows, pk="id")
        for idea in emptied:
            if known[idea]["status"] in (None, "new"):
                db.execute("delete from ideas where id = ?", [idea])
            else:
                db.execute("update ideas set mentions = 0, authors = 0, votes = 0, "
                           "updated_at = ? where id = ?", [now, idea])  # fmt: skip
    return len(rows)


def build_ideas(db: sqlite_utils.Database, distance: float, linkage: str = "average") -> int:
    """Drop departed members, cluster new feature requests, refresh every idea."""
    touched = drop_departed(db)
    refresh_centroids(db, touched)
    assign_new_requests(db, distance, linkage)
    return refresh_ideas(db)


def set_idea_status(db: sqlite_utils.Database, idea: str, status: str) -> dict:
    """Set an idea's status (new, planned, shipped, declined); returns the idea's row."""
    if status not in STATUSES:
        raise IdeaError(f"unknown status {status!r}; expected one of {', '.join(STATUSES)}")
    found = list(db.query("select id from ideas where id = ? or id like ?", [idea, f"{idea}%"]))
    if len(found) != 1:
        raise IdeaError(f"no idea {idea!r}" if not found else f"{idea!r} matches several ideas")
    with transaction(db):
        db.execute("update ideas set status = ?, status_changed_at = ? where id = ?",
                   [status, utc_now(), found[0]["id"]])  # fmt: skip
    return next(db.query("select * from ideas where id = ?", [found[0]["id"]]))
