"""Text embeddings kept for the community pass: ``mention_vectors`` rows, float16 on disk.

The intent stage stores the shared pass's embedding of every question and feature request
(``save_vectors``); experts and ideas read them back (``load_vectors``) instead of running a
model again. ``space`` names the embedding space (``student`` or ``minilm``) so vectors from
different models are never compared.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import sqlite_utils

SQL_CHUNK = 500


def pack(vector: np.ndarray) -> bytes:
    return np.asarray(vector, dtype=np.float16).tobytes()


def unpack(blob: bytes) -> np.ndarray:
    return np.frombuffer(blob, dtype=np.float16).astype(np.float32)


def save_vectors(db: sqlite_utils.Database, rows: Iterable[dict]) -> None:
    """Upsert ``{"mention_id", "space", "vector": np.ndarray}`` rows (inside the caller's
    transaction when there is one)."""
    packed = [{**row, "vector": pack(row["vector"])} for row in rows]
    if packed:
        db["mention_vectors"].insert_all(packed, pk="mention_id", replace=True)


def delete_vectors(db: sqlite_utils.Database, mention_ids: list[str]) -> None:
    for start in range(0, len(mention_ids), SQL_CHUNK):
        chunk = mention_ids[start : start + SQL_CHUNK]
        db.execute(
            f"delete from mention_vectors where mention_id in ({','.join('?' * len(chunk))})",
            chunk,
        )


def load_vectors(
    db: sqlite_utils.Database, where: str, params: Iterable = ()
) -> tuple[list[str], np.ndarray, str | None]:
    """(mention ids, (n, dim) unit vectors, space) of the vectors whose mention (alias ``m``)
    matches ``where``. Mixed spaces: only the most common space's vectors are returned."""
    sql = (
        "select v.mention_id, v.space, v.vector from mention_vectors v "
        f"join mentions m on m.id = v.mention_id where {where} order by v.mention_id"
    )
    rows = db.execute(sql, list(params)).fetchall()
    if not rows:
        return [], np.zeros((0, 0), dtype=np.float32), None
    spaces = [space for _, space, _ in rows]
    space = max(set(spaces), key=spaces.count)
    kept = [(mention_id, blob) for mention_id, s, blob in rows if s == space]
    matrix = np.stack([unpack(blob) for _, blob in kept])
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return [mention_id for mention_id, _ in kept], matrix / np.maximum(norms, 1e-9), space
