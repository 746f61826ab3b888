"""Incremental clustering of unit vectors into stable groups (what ``ideas`` are made of).

A group keeps the (unnormalised) mean of its members' vectors. New vectors are taken in
arrival order, ``chunk`` at a time:

1. a vector joins the existing group with the highest ``vector · mean`` when that is at least
   ``1 - distance`` (the average-linkage distance to the group's members is at most
   ``distance``: the mean of the cosines to the members is ``vector · mean``);
2. the vectors that joined nothing are clustered among themselves with scikit-learn's
   ``AgglomerativeClustering`` (cosine distance, ``linkage``, ``distance_threshold``); each
   cluster, a single vector included, starts a new group.

Groups never merge or split later, so a group (and the idea id made from its first member)
stays put across runs; only new vectors are clustered.
"""

from __future__ import annotations

import numpy as np

DEFAULT_CHUNK = 2000


class Groups:
    """Existing groups: their means (n, dim), member counts, and ids (any hashable).

    Rows are kept in arrays that grow by doubling, so adding thousands of groups one by one
    stays linear."""

    def __init__(self, means: np.ndarray, counts: np.ndarray, ids: list) -> None:
        self._means = np.array(means, dtype=np.float32, ndmin=2)
        self._counts = np.array(counts, dtype=np.int64)
        self.ids = list(ids)

    @classmethod
    def empty(cls, dim: int) -> Groups:
        return cls(np.zeros((0, dim), dtype=np.float32), np.zeros(0, dtype=np.int64), [])

    @property
    def means(self) -> np.ndarray:
        return self._means[: len(self.ids)]

    @property
    def counts(self) -> np.ndarray:
        return self._counts[: len(self.ids)]

    def add_member(self, index: int, vector: np.ndarray) -> None:
        count = self._counts[index]
        self._means[index] = (self._means[index] * count + vector) / (count + 1)
        self._counts[index] = count + 1

    def add_group(self, group_id, vectors: np.ndarray, members: int | None = None) -> None:
        """A new group with ``vectors`` as its members (or their mean, counting ``members``)."""
        size = len(self.ids)
        if size == len(self._counts):
            capacity = max(16, 2 * size)
            self._means = np.resize(self._means, (capacity, vectors.shape[1]))
            self._counts = np.resize(self._counts, capacity)
        self._means[size] = vectors.mean(0)
        self._counts[size] = members or len(vectors)
        self.ids.append(group_id)


def cluster_among(vectors: np.ndarray, distance: float, linkage: str) -> np.ndarray:
    """Cluster labels of ``vectors`` (agglomerative, cosine); one vector is its own cluster."""
    if len(vectors) < 2:
        return np.zeros(len(vectors), dtype=np.int64)
    from sklearn.cluster import AgglomerativeClustering

    model = AgglomerativeClustering(
        n_clusters=None, metric="cosine", linkage=linkage, distance_threshold=distance
    )
    return model.fit_predict(vectors)


def assign(vectors: np.ndarray, keys: list, groups: Groups, distance: float,
           linkage: str = "average", chunk: int = DEFAULT_CHUNK,
           new_id=lambda first_key: first_key) -> list:  # fmt: skip
    """Each vector's group id (in ``keys`` order), creating groups as needed.

    ``groups`` is updated in place; a new group's id is ``new_id(key of its first member)``.
    """
    assigned: list = [None] * len(vectors)
    for start in range(0, len(vectors), chunk):
        block = vectors[start : start + chunk]
        rest = join_existing(block, groups, distance, assigned, start)
        if not rest:
            continue
        labels = cluster_among(block[rest], distance, linkage)
        for label in np.unique(labels):
            members = [rest[i] for i in np.flatnonzero(labels == label)]
            group_id = new_id(keys[start + members[0]])
            groups.add_group(group_id, block[members])
            for member in members:
                assigned[start + member] = group_id
    return assigned


def join_existing(block: np.ndarray, groups: Groups, distance: float, assigned: list,
                  start: int) -> list[int]:  # fmt: skip
    """Put the block's vectors that are close enough into existing groups; return the others."""
    if not len(groups.counts):
        return list(range(len(block)))
    scores = block @ groups.means.T
    rest = []
    for i, row in enumerate(scores):
        best = int(np.argmax(row))
        if row[best] >= 1 - distance:
            assigned[start + i] = groups.ids[best]
            groups.add_member(best, block[i])
        else:
            rest.append(i)
    return rest
