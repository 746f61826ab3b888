"""Duplicate mentions: exact copies by ``content_hash``, near copies by MinHash LSH.

``Deduplicator.from_db(db)`` indexes every mention that is not itself a duplicate;
``assign(batch)`` says, for each mention, which earlier mention it copies (or None), and
``save_duplicates(db, assignments, deduplicator)`` writes ``mentions.duplicate_of``.

The original of a group of copies is the first one: earliest ``published_at`` (missing dates
count as latest), then lowest id. A mention published before an already indexed original
takes its place: the old original then appears in the assignments pointing at the new one, and
``save_duplicates`` moves that old original's own duplicates over too.

Near copies: word 3-shingles of the lower-cased title + body (punctuation ignored), 128-permutation
MinHash, LSH candidates kept when their estimated Jaccard similarity is at least ``THRESHOLD``.
Texts under ``min_words`` words are only compared exactly, and then only with the same author:
"Great app!" from two reviewers is two opinions, not a copy.

Signatures are cached in ``mention_minhash`` (512 bytes each) keyed by the mention's
``content_hash``, so a re-run only hashes new or edited mentions (a mention stored without a
``content_hash`` is re-hashed on every ``from_db``).
"""

from __future__ import annotations

import hashlib
from typing import NamedTuple

import numpy as np
import sqlite_utils
from datasketch import MinHash, MinHashLSH

from groundswell.store.transaction import transaction
from groundswell.tagging.query import text_words

# Estimated Jaccard similarity of word 3-shingles. Each changed word breaks 3 shingles, so a
# text of n words with k scattered edits scores about (n - 3k) / (n + 3k): at 0.8 a 70-word
# review re-posted with two words changed and a sign-off added sits right on the line (0.80);
# 0.7 catches it while unrelated reviews of the same product score under 0.1.
THRESHOLD = 0.7
NUM_PERM = 128
SHINGLE_WORDS = 3
MIN_WORDS = 8
MINHASH_SEED = 1
MINHASH_SCHEME = "affine32"  # datasketch >= 2.0: uint32 hash values
SIGNATURE_DTYPE = np.dtype("<u4")
BAND_KEY_SEED = 20240601
REBUILD_AFTER_ADDS = 20_000  # re-sort the band arrays after this many single additions
NO_DATE = "\uffff"  # sorts after every ISO date


class NearLookup(NamedTuple):
    """One signature's ``BandIndex.band_keys`` row and ``sorted_matches`` entry."""

    keys: np.ndarray
    in_sorted: list[np.ndarray]


class Fingerprint(NamedTuple):
    """What deduplication needs to know about one mention."""

    mention_id: str
    order: tuple[str, str]  # (published_at, id): the smaller is the original
    exact_key: tuple[str, ...] | None  # None for a mention without text
    signature: np.ndarray | None  # MinHash values; None for texts too short to compare loosely

    def is_earlier_than(self, other: Fingerprint) -> bool:
        return self.order < other.order


def mention_content_hash(mention: dict) -> str:
    """``content_hash`` as the crawler sets it (computed the same way when it is missing)."""
    if mention.get("content_hash"):
        return mention["content_hash"]
    text = " ".join(f"{mention.get('title') or ''} {mention.get('body') or ''}".lower().split())
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def mention_words(mention: dict) -> list[str]:
    return text_words(f"{mention.get('title') or ''}\n{mention.get('body') or ''}")


def shingles(words: list[str], size: int = SHINGLE_WORDS) -> set[bytes]:
    return {" ".join(words[i : i + size]).encode("utf-8") for i in range(len(words) - size + 1)}


class SignatureMaker:
    """MinHash signatures with one shared set of permutations (building them is the slow part)."""

    def __init__(self, num_perm: int = NUM_PERM, seed: int = MINHASH_SEED) -> None:
        self.seed = seed
        self.num_perm = num_perm
        self.permutations = MinHash(
            num_perm=num_perm, seed=seed, scheme=MINHASH_SCHEME
        ).permutations
        self.scheme = f"{MINHASH_SCHEME}-perm{num_perm}-seed{seed}-shingle{SHINGLE_WORDS}"

    def signature(self, words: list[str]) -> np.ndarray | None:
        """The MinHash of the text's word shingles; None under SHINGLE_WORDS words."""
        if len(words) < SHINGLE_WORDS:
            return None
        minhash = MinHash(seed=self.seed, permutations=self.permutations, scheme=MINHASH_SCHEME)
        minhash.update_batch(shingles(words))
        return minhash.hashvalues.astype(SIGNATURE_DTYPE)

    def from_bytes(self, blob: bytes | None) -> np.ndarray | None:
        return None if blob is None else np.frombuffer(blob, dtype=SIGNATURE_DTYPE)


def signature_bytes(signature: np.ndarray | None) -> bytes | None:
    return None if signature is None else signature.astype(SIGNATURE_DTYPE).tobytes()


class BandIndex:
    """MinHash LSH: signatures that agree on every value of any one band are candidates.

    datasketch's ``MinHashLSH`` picks the bands (b) and rows per band (r) for the threshold, but
    its dict-of-sets buckets took ~14 s and ~300 MB more to load 100k mentions than this index,
    where the signatures sit in one uint32 matrix and each band's keys in a sorted uint64 array.
    """

    def __init__(self, threshold: float, num_perm: int) -> None:
        params = MinHashLSH(threshold=threshold, num_perm=num_perm)
        self.bands, self.rows_per_band = params.b, params.r
        random = np.random.default_rng(BAND_KEY_SEED)
        shape = (self.bands, self.rows_per_band)
        self.multipliers = random.integers(0, 2**63, size=shape, dtype=np.uint64) * 2 + 1
        self.signatures = np.zeros((0, num_perm), dtype=SIGNATURE_DTYPE)
        self.size = 0  # rows of ``signatures`` in use
        self.row_ids: list[str] = []
        self.row_of: dict[str, int] = {}  # the live row of each indexed mention
        self.sorted_keys = np.zeros((self.bands, 0), dtype=np.uint64)
        self.sorted_rows = np.zeros((self.bands, 0), dtype=np.int64)
        self.recent: dict[tuple[int, int], list[int]] = {}  # rows added since the last sort

    def band_keys(self, signatures: np.ndarray) -> np.ndarray:
        """One uint64 key per band for each signature: shape (len(signatures), bands)."""
        used = self.bands * self.rows_per_band
        values = signatures[:, :used].reshape(len(signatures), self.bands, self.rows_per_band)
        with np.errstate(over="ignore"):
            return (values.astype(np.uint64) * self.multipliers).sum(axis=2, dtype=np.uint64)

    def add_many(self, mention_ids: list[str], signatures: np.ndarray) -> None:
        """Index many signatures at once, then re-sort every band."""
        self.reserve(len(mention_ids))
        first = self.size
        self.signatures[first : first + len(mention_ids)] = signatures
        self.size += len(mention_ids)
        self.row_ids.extend(mention_ids)
        self.row_of.update(zip(mention_ids, range(first, self.size), strict=True))
        self.sort_bands()

    def add(self, mention_id: str, signature: np.ndarray, keys: np.ndarray) -> None:
        """Index one signature (``keys``: its ``band_keys`` row); the bands are re-sorted by
        ``sort_if_due``."""
        self.reserve(1)
        row = self.size
        self.signatures[row] = signature
        self.size += 1
        self.row_ids.append(mention_id)
        self.row_of[mention_id] = row
        for band, key in enumerate(keys.tolist()):
            self.recent.setdefault((band, key), []).append(row)

    def sort_if_due(self) -> None:
        if len(self.recent) > REBUILD_AFTER_ADDS * self.bands:
            self.sort_bands()

    def reserve(self, extra: int) -> None:
        """Room for ``extra`` more rows (growing by half, not doubling: 100k rows are 51 MB)."""
        needed = self.size + extra
        if needed <= len(self.signatures):
            return
        capacity = max(needed, self.size + self.size // 2, 1024)
        grown = np.zeros((capacity, self.signatures.shape[1]), dtype=SIGNATURE_DTYPE)
        grown[: self.size] = self.signatures[: self.size]
        self.signatures = grown

    def sort_bands(self) -> None:
        rows = np.fromiter(self.row_of.values(), dtype=np.int64, count=len(self.row_of))
        keys = self.band_keys(self.signatures[rows]).T  # (bands, rows)
        order = np.argsort(keys, axis=1, kind="stable")
        self.sorted_keys = np.take_along_axis(keys, order, axis=1)
        self.sorted_rows = rows[order]
        self.recent = {}

    def remove(self, mention_id: str) -> None:
        self.row_of.pop(mention_id, None)  # its row stays in the arrays, skipped from now on

    def sorted_matches(self, keys: np.ndarray) -> list[list[np.ndarray]]:
        """For each row of ``keys`` (``band_keys`` of many signatures): the rows of the sorted
        bands that share its key in some band, searched one band at a time for all of them."""
        found: list[list[np.ndarray]] = [[] for _ in range(len(keys))]
        for band in range(self.bands):
            column = self.sorted_keys[band]
            starts = np.searchsorted(column, keys[:, band], "left")
            ends = np.searchsorted(column, keys[:, band], "right")
            for i in np.flatnonzero(ends > starts).tolist():
                found[i].append(self.sorted_rows[band, starts[i] : ends[i]])
        return found

    def similar(self, signature: np.ndarray, threshold: float, lookup: NearLookup) -> list[str]:
        """Indexed mentions whose estimated Jaccard similarity is at least ``threshold``
        (``lookup``: the signature's band keys and its matches in the sorted bands, computed
        for a whole batch since the bands were last sorted)."""
        rows: set[int] = set()
        for found in lookup.in_sorted:
            rows.update(found.tolist())
        for band, key in enumerate(lookup.keys.tolist()):
            rows.update(self.recent.get((band, key), ()))
        live = [row for row in rows if self.row_of.get(self.row_ids[row]) == row]
        if not live:
            return []
        similarity = (self.signatures[live] == signature).mean(axis=1)
        return [
            self.row_ids[row]
            for row, score in zip(live, similarity, strict=True)
            if score >= threshold
        ]


class Deduplicator:
    """An index of original mentions that assigns each new mention to the one it copies."""

    def __init__(
        self, threshold: float = THRESHOLD, num_perm: int = NUM_PERM, min_words: int = MIN_WORDS
    ) -> None:
        self.threshold = threshold
        self.min_words = min_words
        self.signatures = SignatureMaker(num_perm)
        self.near_index = BandIndex(threshold, num_perm)
        self.originals: dict[str, Fingerprint] = {}
        self.by_exact_key: dict[tuple[str, ...], set[str]] = {}
        self.pending: dict[str, dict] = {}  # mention_minhash rows computed by assign, not saved

    @classmethod
    def from_db(cls, db: sqlite_utils.Database, **options) -> Deduplicator:
        """Index every mention of ``db`` that is not a duplicate, caching missing signatures."""
        deduplicator = cls(**options)
        scheme = deduplicator.signatures.scheme
        fingerprints = [
            deduplicator.cached_fingerprint(row) if row["fresh"] else deduplicator.fingerprint(row)
            for row in db.query(INDEXED_MENTIONS_SQL, {"scheme": scheme})
        ]
        deduplicator.add_many(fingerprints)
        save_signature_rows(db, deduplicator.take_pending())
        return deduplicator

    def cached_fingerprint(self, row: dict) -> Fingerprint:
        signature = self.signatures.from_bytes(row["signature"])
        return self.make_fingerprint(row, row["content_hash"], row["words"], signature)

    def fingerprint(self, mention: dict) -> Fingerprint:
        """Hash one mention (remembering the signature for ``save_duplicates``)."""
        known = self.originals.get(mention["id"])
        if known is not None and is_unchanged(known, mention):
            return known  # indexed by from_db moments ago: no need to hash it again
        words = mention_words(mention)
        signature = self.signatures.signature(words)
        self.pending[mention["id"]] = {
            "mention_id": mention["id"], "content_hash": mention.get("content_hash"),
            "scheme": self.signatures.scheme, "words": len(words),
            "signature": signature_bytes(signature),
        }  # fmt: skip
        return self.make_fingerprint(mention, mention_content_hash(mention), len(words), signature)

    def make_fingerprint(
        self, mention: dict, content_hash: str, words: int, signature: np.ndarray | None
    ) -> Fingerprint:
        order = mention_order(mention)
        if words == 0:
            return Fingerprint(mention["id"], order, None, None)
        if words < self.min_words:
            exact_key = (content_hash, normalised_author(mention))
            return Fingerprint(mention["id"], order, exact_key, None)
        return Fingerprint(mention["id"], order, (content_hash,), signature)

    def add_many(self, fingerprints: list[Fingerprint]) -> None:
        for fingerprint in fingerprints:
            self.add(fingerprint)
        loose = [f for f in fingerprints if f.signature is not None]
        if not loose:  # only short texts (exact keys): np.array([]) has no signature width
            return
        signatures = np.array([f.signature for f in loose], dtype=SIGNATURE_DTYPE)
        self.near_index.add_many([f.mention_id for f in loose], signatures)

    def add(self, fingerprint: Fingerprint, keys: np.ndarray | None = None) -> None:
        """Index ``fingerprint``; with ``keys`` (its signature's band keys) for near copies too
        (``add_many`` indexes its signatures all at once)."""
        self.remove(fingerprint.mention_id)
        self.originals[fingerprint.mention_id] = fingerprint
        if fingerprint.exact_key is not None:
            self.by_exact_key.setdefault(fingerprint.exact_key, set()).add(fingerprint.mention_id)
        if keys is not None:
            self.near_index.add(fingerprint.mention_id, fingerprint.signature, keys)

    def remove(self, mention_id: str) -> None:
        fingerprint = self.originals.pop(mention_id, None)
        if fingerprint is None:
            return
        if fingerprint.exact_key is not None:
            self.by_exact_key[fingerprint.exact_key].discard(mention_id)
        self.near_index.remove(mention_id)

    def copies_of(self, fingerprint: Fingerprint, lookup: NearLookup | None) -> list[Fingerprint]:
        """Indexed originals that ``fingerprint`` is an exact or near copy of (``lookup``: its
        band keys and sorted-band matches, from ``near_lookups``; None without a signature)."""
        exact_key = fingerprint.exact_key
        found = set(self.by_exact_key.get(exact_key, ())) if exact_key else set()
        if lookup is not None:
            found.update(self.near_index.similar(fingerprint.signature, self.threshold, lookup))
        found.discard(fingerprint.mention_id)
        return [self.originals[mention_id] for mention_id in found]

    def near_lookups(self, fingerprints: list[Fingerprint]) -> list[NearLookup | None]:
        """Band keys and sorted-band matches of every signature in ``fingerprints`` at once
        (None for a fingerprint without a signature)."""
        loose = [i for i, f in enumerate(fingerprints) if f.signature is not None]
        lookups: list[NearLookup | None] = [None] * len(fingerprints)
        if loose:
            keys = self.near_index.band_keys(np.array([fingerprints[i].signature for i in loose]))
            matches = self.near_index.sorted_matches(keys)
            for n, i in enumerate(loose):
                lookups[i] = NearLookup(keys[n], matches[n])
        return lookups

    def assign(self, batch: list[dict]) -> dict[str, str | None]:
        """For each mention id: the id of the original it duplicates, or None if it is one.

        Also holds an entry for each indexed original that a mention of ``batch`` predates.
        """
        assignments: dict[str, str | None] = {}
        fingerprints = sorted((self.fingerprint(mention) for mention in batch), key=by_order)
        lookups = self.near_lookups(fingerprints)  # the bands are not re-sorted until the end
        for fingerprint, lookup in zip(fingerprints, lookups, strict=True):
            self.remove(fingerprint.mention_id)  # re-assessed: its text or date may have changed
            matches = self.copies_of(fingerprint, lookup)
            earlier = [match for match in matches if match.is_earlier_than(fingerprint)]
            if earlier:
                assignments[fingerprint.mention_id] = min(earlier, key=by_order).mention_id
                continue
            assignments[fingerprint.mention_id] = None
            for later in matches:
                self.remove(later.mention_id)
                assignments[later.mention_id] = fingerprint.mention_id
            self.add(fingerprint, lookup.keys if lookup else None)
        self.near_index.sort_if_due()
        return assignments

    def take_pending(self) -> list[dict]:
        rows, self.pending = list(self.pending.values()), {}
        return rows


def mention_order(mention: dict) -> tuple[str, str]:
    return (mention.get("published_at") or NO_DATE, mention["id"])


def normalised_author(mention: dict) -> str:
    return (mention.get("author") or "").casefold().strip()


def is_unchanged(known: Fingerprint, mention: dict) -> bool:
    """Whether ``known`` still describes ``mention`` (same text hash, date and author)."""
    if known.exact_key is None or known.order != mention_order(mention):
        return False
    if mention.get("content_hash") != known.exact_key[0]:
        return False
    return len(known.exact_key) == 1 or known.exact_key[1] == normalised_author(mention)


def by_order(fingerprint: Fingerprint) -> tuple[str, str]:
    return fingerprint.order


INDEXED_MENTIONS_SQL = """
with indexed as (
    select m.id, m.published_at, m.content_hash, m.author, m.title, m.body, h.words, h.signature,
           coalesce(h.scheme = :scheme and h.content_hash = m.content_hash, 0) as fresh
    from mentions m left join mention_minhash h on h.mention_id = m.id
    where m.duplicate_of is null
)
select id, published_at, content_hash, author, words, signature, fresh,
       case when fresh then null else title end as title,
       case when fresh then null else body end as body
from indexed
"""


def save_signature_rows(db: sqlite_utils.Database, rows: list[dict]) -> None:
    if rows:
        with transaction(db):
            db["mention_minhash"].upsert_all(rows, pk="mention_id")


def save_duplicates(
    db: sqlite_utils.Database,
    assignments: dict[str, str | None],
    deduplicator: Deduplicator | None = None,
) -> None:
    """Write ``duplicate_of`` for every assigned mention (idempotent).

    A mention that became a duplicate hands its own duplicates to its original. With
    ``deduplicator``, the signatures it computed are cached in ``mention_minhash``.
    """
    updates = [(original, mention_id) for mention_id, original in assignments.items()]
    moved = [(original, mention_id) for original, mention_id in updates if original is not None]
    with transaction(db):
        db.conn.executemany("update mentions set duplicate_of = ? where id = ?", updates)
        db.conn.executemany("update mentions set duplicate_of = ? where duplicate_of = ?", moved)
    if deduplicator is not None:
        save_signature_rows(db, deduplicator.take_pending())
