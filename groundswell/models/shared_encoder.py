"""One forward pass per text for every model stage: sentiment, topics and keyphrases.

A shared-pass graph maps token ids to two outputs per token: its state (the embedding space
topics and keyphrases use) and its sentiment logits (a linear head, so the mean of the token
logits plus the bias is exactly the text's sentiment logits, and the mean over a span is that
span's sentiment in context). ``groundswell/models/export.py`` builds two such int8 graphs:

* ``joint`` (8 layers): the shipped sentiment model is the packaged MiniLM with LoRA on layers
  4-5, so layers 0-3 run once and then both tops, the plain encoder's layers 4-5 (states) and
  the sentiment model's (logits);
* ``student`` (4 layers, the default, ``[model] shared_graph``): ``groundswell/models/student.py``, distilled
  from the joint graph, at about 1.7x its speed.

``SharedEncoder.encode(texts)`` returns an ``EncodedText`` per text: its tokens' states, logits
and character offsets. Texts longer than a window (``MAX_LENGTH`` tokens) are cut into several
windows, batched together with texts of similar length. The stages then read what they need:

* the text's embedding (mean of all token states, as sentence-transformers pools) and sentiment;
* a segment's embedding and sentiment (mean over the tokens inside the segment's characters);
* a candidate keyphrase's embedding (mean over the tokens of its first occurrence).
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path

import numpy as np

from groundswell.models.encoder import length_sorted_batches, padded_ids
from groundswell.models.sentiment import (
    ARTIFACT_DIR,
    SentimentResult,
    read_config,
    sentiment_result,
    softmax,
)

log = logging.getLogger(__name__)

MAX_LENGTH = 128  # tokens per window (the encoder's training length)
BATCH_SIZE = 32  # windows per forward (sorted by length: little padding)


@dataclass
class EncodedText:
    """A text's tokens after the shared forward (special tokens included, padding dropped)."""

    states: np.ndarray  # (tokens, hidden) plain-encoder token states
    logits: np.ndarray  # (tokens, labels) sentiment head per token, bias not added
    offsets: np.ndarray  # (tokens, 2) character span of each token in the text
    special: np.ndarray  # (tokens,) True for [CLS] / [SEP]
    bias: np.ndarray  # (labels,) the sentiment head's bias

    def embedding(self) -> np.ndarray:
        return normalized(self.states.mean(0))

    def sentiment_probabilities(self) -> np.ndarray:
        return softmax(self.logits.mean(0) + self.bias)

    @cached_property
    def plain_bounds(self) -> tuple[np.ndarray, np.ndarray]:
        """(start, end) characters of the non-special tokens, in order."""
        plain = ~self.special
        return self.offsets[plain, 0], self.offsets[plain, 1]

    def span_members(self, spans: np.ndarray) -> np.ndarray:
        """(n, plain tokens) float 0/1: which non-special tokens each (n, 2) character span
        overlaps. A product with it sums the tokens of every span at once (a few microseconds;
        running totals cost a cumulative sum per text, ten times that)."""
        begins, ends = self.plain_bounds
        inside = (ends[None, :] > spans[:, :1]) & (begins[None, :] < spans[:, 1:])
        return inside.astype(np.float32)

    def span_sums(self, values: np.ndarray, spans: np.ndarray,
                  with_special: bool) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
        """(sums of ``values`` over each span's tokens, token counts), for (n, 2) character
        ``spans``. A token belongs to a span it overlaps. Special tokens ([CLS], [SEP]) are
        added to every span if ``with_special``: a span that is the whole text then pools like
        the text."""
        members = self.span_members(spans)
        sums, counts = members @ values[~self.special], members.sum(1)
        if with_special:
            sums = sums + values[self.special].sum(0)
            counts = counts + float(self.special.sum())
        return sums, counts

    def span_embeddings(self, spans: list[tuple[int, int]], with_special: bool = False):
        """(n, hidden) normalised mean token state of each span; zero rows for empty spans."""
        spans_array = np.asarray(spans).reshape(-1, 2)
        sums, counts = self.span_sums(self.states, spans_array, with_special)
        norms = np.linalg.norm(sums, axis=1, keepdims=True)
        return np.where(counts[:, None] > 0, sums / np.maximum(norms, 1e-9), 0.0)

    def span_sentiment(self, start: int, end: int) -> np.ndarray:
        """Sentiment probabilities of a span read in context (special tokens included)."""
        span = np.array([[start, end]])
        sums, counts = self.span_sums(self.logits, span, with_special=True)
        return softmax(sums[0] / max(counts[0], 1.0) + self.bias)


def normalized(vector: np.ndarray) -> np.ndarray:
    return vector / max(float(np.linalg.norm(vector)), 1e-9)


class SharedEncoder:
    """The joint ONNX graph with its tokenizer; ``encode`` runs it once per window."""

    def __init__(
        self, session, tokenizer, bias: np.ndarray, model_version: str, embedding_space: str
    ) -> None:
        self.session = session
        # a fast tokenizer may refuse a call from a second thread while one runs
        # ("Already borrowed"): the tagger's model thread encodes a batch while a stage encodes
        # the clauses of the batch before
        self.tokenizing = threading.Lock()
        self.embedding_space = embedding_space  # "student", or "minilm" (the plain encoder's)
        self.tokenizer = tokenizer
        self.bias = bias.astype(np.float32)
        self.model_version = model_version
        self.name = f"{model_version}+shared"

    def windows(self, texts: list[str]) -> dict:
        with self.tokenizing:
            return self.tokenizer(
                [t or "" for t in texts],
                truncation=True,
                max_length=MAX_LENGTH,
                return_overflowing_tokens=True,
                return_offsets_mapping=True,
                return_special_tokens_mask=True,
            )

    def encode(self, texts: list[str]) -> list[EncodedText]:
        """Every text's tokens; texts of similar length share a forward pass."""
        windows = self.windows(texts)
        ids = windows["input_ids"]
        states: list[np.ndarray | None] = [None] * len(ids)
        logits: list[np.ndarray | None] = [None] * len(ids)
        for batch in length_sorted_batches(ids, BATCH_SIZE):
            input_ids, mask = padded_ids([ids[i] for i in batch])
            feeds = {"input_ids": input_ids, "attention_mask": mask}
            batch_states, batch_logits = self.session.run(["token_states", "token_logits"], feeds)
            for row, i in enumerate(batch):
                states[i] = batch_states[row, : len(ids[i])]
                logits[i] = batch_logits[row, : len(ids[i])]
        return self.gather(texts, windows, states, logits)

    def gather(self, texts: list[str], windows: dict, states: list, logits: list) -> list:
        """Join each text's windows back into one ``EncodedText``."""
        owner = windows["overflow_to_sample_mapping"]
        parts: list[list[int]] = [[] for _ in texts]
        for window, text_index in enumerate(owner):
            parts[text_index].append(window)
        out = []
        for rows in parts:
            out.append(
                EncodedText(
                    states=np.concatenate([states[w] for w in rows]),
                    logits=np.concatenate([logits[w] for w in rows]),
                    offsets=np.concatenate(
                        [np.asarray(windows["offset_mapping"][w], dtype=np.int64) for w in rows]
                    ),
                    special=np.concatenate(
                        [np.asarray(windows["special_tokens_mask"][w], dtype=bool) for w in rows]
                    ),
                    bias=self.bias,
                )
            )
        return out

    def embed(self, texts: list[str]) -> np.ndarray:
        """Normalised text embeddings (the ``TextEncoder`` protocol topic prototypes use)."""
        if not texts:
            return np.zeros((0, 0), dtype=np.float32)
        return np.stack([e.embedding() for e in self.encode(list(texts))])

    def sentiments(self, encoded: list[EncodedText]) -> list[SentimentResult]:
        return [sentiment_result(e.sentiment_probabilities(), self.model_version) for e in encoded]


def open_session(path: Path, threads: int | None = None):
    """An ONNX Runtime CPU session for one of ``groundswell/models/export.py``'s graphs."""
    import onnxruntime as ort

    options = ort.SessionOptions()
    if threads:
        options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.log_severity_level = 3  # errors only: no optimiser notes on screen
    # idle ORT threads spin by default, taking CPU from the Python stages between runs
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])


SHARED_GRAPHS = ("student", "joint")


def build_shared_encoder(
    graph: str = "student",
    threads: int | None = None,
    artifact_dir: Path = ARTIFACT_DIR,
    student_dir: Path | None = None,
) -> SharedEncoder:
    """The shared pass, exported into the cache on first use: the 4-layer ``student``
    (``groundswell/models/student.py``; another student's artifacts with ``student_dir``) or
    the 8-layer ``joint`` graph of the shipped sentiment model."""
    from safetensors.numpy import load_file

    from groundswell.models.export import ensure_joint_onnx, ensure_student_onnx
    from groundswell.models.sentiment import ADAPTER_FILE, load_tokenizer
    from groundswell.models.student import STUDENT_DIR, read_student_config

    if graph not in SHARED_GRAPHS:
        raise ValueError(f"unknown shared graph {graph!r}; expected one of {SHARED_GRAPHS}")
    if graph == "student":
        student_dir = student_dir or STUDENT_DIR
        config, bias_key = read_student_config(student_dir), "bias"
        path, weights = ensure_student_onnx(student_dir), student_dir / ADAPTER_FILE
    else:
        config, path, bias_key = (
            read_config(artifact_dir),
            ensure_joint_onnx(artifact_dir),
            "head.bias",
        )
        weights = artifact_dir / ADAPTER_FILE
    session = open_session(path, threads)
    tokenizer = load_tokenizer(config.get("base_model"))
    bias = load_file(str(weights))[bias_key]
    space = "student" if graph == "student" else "minilm"
    return SharedEncoder(session, tokenizer, bias, config["version"], space)


def serves_config(model_config) -> bool:
    """True when ``[model]`` names the shipped models and the int8 ONNX backend (the default):
    a user's own Hugging Face model, or ``GROUNDSWELL_SENTIMENT_BACKEND=torch``, runs the
    stages separately on what was asked for."""
    import os

    from groundswell.models.encoder import DEFAULT_MODEL
    from groundswell.models.sentiment import BACKEND_ENV

    backend = os.environ.get(BACKEND_ENV) or read_config().get("inference", "onnx-int8")
    return (
        model_config.sentiment in (None, "", "default", "groundswell")
        and model_config.encoder in (DEFAULT_MODEL, f"sentence-transformers/{DEFAULT_MODEL}")
        and backend == "onnx-int8"
    )


def load_shared_encoder(graph: str = "student") -> SharedEncoder | None:
    """The process-wide shared encoder for ``graph``, or None if ONNX Runtime can't serve it
    here (the tagger then runs each stage on its own models)."""
    return cached_shared_encoder(graph)


@lru_cache(maxsize=len(SHARED_GRAPHS))
def cached_shared_encoder(graph: str) -> SharedEncoder | None:
    try:
        return build_shared_encoder(graph)
    except Exception as exc:  # noqa: BLE001 - any export/runtime failure falls back
        log.warning("shared ONNX encoder unavailable (%s); stages run separately", exc)
        return None
