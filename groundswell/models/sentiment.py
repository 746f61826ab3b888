"""3-class tweet sentiment (negative / neutral / positive) on top of all-MiniLM-L6-v2.

The shipped model is the packaged MiniLM encoder plus LoRA adapters on its top layers, trained
LayerNorms and a linear head over the mean-pooled tokens (``groundswell/models/artifacts/sentiment/``, built by
``training/train_sentiment.py``). ``load_sentiment_model()`` loads it once per process and serves
``predict()`` through ONNX Runtime (int8, built into a cache dir on first use, see
``groundswell/models/export.py``) with a torch fallback. ``load_sentiment_model(path)`` instead loads any
local Hugging Face sequence-classification model whose labels name neg/neu/pos classes.
"""

from __future__ import annotations

import json
import logging
import math
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from groundswell.models import ARTIFACTS
from groundswell.models.encoder import (
    DEFAULT_MODEL,
    length_sorted_batches,
    mean_pool,
    resolve_model_path,
)

log = logging.getLogger(__name__)

LABELS: tuple[str, ...] = ("negative", "neutral", "positive")
ARTIFACT_DIR = ARTIFACTS / "sentiment"
ADAPTER_FILE = "adapter.safetensors"
CONFIG_FILE = "config.json"
MAX_LENGTH = 64
LORA_TARGETS = (
    "attention.self.query",
    "attention.self.key",
    "attention.self.value",
    "attention.output.dense",
    "intermediate.dense",
    "output.dense",
)
LAYER_NORMS = ("attention.output.LayerNorm", "output.LayerNorm")

_MENTION = re.compile(r"@\w+")
_URL = re.compile(r"https?://\S+|www\.\S+")
_SPACES = re.compile(r"\s+")


def normalize_text(text: str) -> str:
    """TweetEval-style normalisation: mentions become ``@user``, links are dropped."""
    text = _URL.sub("", _MENTION.sub("@user", text or ""))
    return _SPACES.sub(" ", text).strip()


@dataclass(frozen=True)
class SentimentResult:
    label: str
    score: float  # P(positive) - P(negative), in -1..1
    confidence: float  # max class probability
    model_version: str


def sentiment_result(probabilities: np.ndarray, model_version: str = "") -> SentimentResult:
    """The result for one row of class probabilities in LABELS order."""
    best = int(probabilities.argmax())
    return SentimentResult(
        label=LABELS[best],
        score=float(np.clip(probabilities[2] - probabilities[0], -1.0, 1.0)),
        confidence=float(probabilities[best]),
        model_version=model_version,
    )


# --------------------------------------------------------------------------------------------
# Architecture (shared with training/train_sentiment.py and groundswell/models/export.py)
# --------------------------------------------------------------------------------------------


def _torch():
    import torch

    return torch


def make_lora_linear(base, rank: int, alpha: float):
    """Wrap ``base`` (an ``nn.Linear``) with a trainable low-rank update B @ A * alpha / rank."""
    torch = _torch()

    class LoRALinear(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.base = base
            self.scale = alpha / rank
            self.lora_a = torch.nn.Parameter(torch.empty(rank, base.in_features))
            self.lora_b = torch.nn.Parameter(torch.zeros(base.out_features, rank))
            torch.nn.init.kaiming_uniform_(self.lora_a, a=math.sqrt(5))
            for p in base.parameters():
                p.requires_grad_(False)

        def forward(self, x):
            return self.base(x) + (x @ self.lora_a.t() @ self.lora_b.t()) * self.scale

    return LoRALinear()


def _get_module(root, dotted: str):
    for part in dotted.split("."):
        root = getattr(root, part)
    return root


def _set_module(root, dotted: str, module) -> None:
    parent, _, leaf = dotted.rpartition(".")
    setattr(_get_module(root, parent) if parent else root, leaf, module)


def layer_module_names(first_layer: int, num_layers: int, suffixes: tuple[str, ...]) -> list[str]:
    return [
        f"encoder.layer.{i}.{suffix}" for i in range(first_layer, num_layers) for suffix in suffixes
    ]


def build_net(encoder, num_labels: int = len(LABELS)):
    """``encoder`` (a ``BertModel``) + mean pooling + dropout + linear head -> logits."""
    torch = _torch()

    class SentimentNet(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.encoder = encoder
            self.dropout = torch.nn.Dropout(0.1)
            self.head = torch.nn.Linear(encoder.config.hidden_size, num_labels)

        def pool_and_classify(self, hidden, attention_mask):
            return self.head(self.dropout(mean_pool(hidden, attention_mask)))

        def forward(self, input_ids, attention_mask):
            hidden = self.encoder(input_ids=input_ids, attention_mask=attention_mask)
            return self.pool_and_classify(hidden.last_hidden_state, attention_mask)

        def run_layers(self, hidden, attention_mask, start: int, stop: int | None = None):
            from transformers.masking_utils import create_bidirectional_mask

            mask = create_bidirectional_mask(
                config=self.encoder.config, inputs_embeds=hidden, attention_mask=attention_mask
            )
            for layer in self.encoder.encoder.layer[start:stop]:
                hidden = layer(hidden, mask)
            return hidden

        def hidden_at_layer(self, input_ids, attention_mask, layer: int):
            """The hidden states entering layer ``layer`` (0: the embeddings)."""
            hidden = self.encoder.embeddings(input_ids=input_ids)
            return self.run_layers(hidden, attention_mask, 0, layer)

        def forward_from_layer(self, hidden, attention_mask, first_layer: int):
            """Run layers ``first_layer..`` on cached hidden states (training shortcut)."""
            hidden = self.run_layers(hidden, attention_mask, first_layer)
            return self.pool_and_classify(hidden, attention_mask)

    return SentimentNet()


def add_lora(net, first_layer: int, rank: int, alpha: float) -> list[str]:
    """Freeze ``net.encoder`` and add LoRA to the top layers; LayerNorms there stay trainable."""
    encoder = net.encoder
    for p in encoder.parameters():
        p.requires_grad_(False)
    n = encoder.config.num_hidden_layers
    names = layer_module_names(first_layer, n, LORA_TARGETS)
    for name in names:
        _set_module(encoder, name, make_lora_linear(_get_module(encoder, name), rank, alpha))
    for name in layer_module_names(first_layer, n, LAYER_NORMS):
        for p in _get_module(encoder, name).parameters():
            p.requires_grad_(True)
    return names


def encoder_adapter_state(encoder, first_layer: int) -> dict:
    """The encoder's trained tensors from ``first_layer`` up: LoRA factors and LayerNorms."""
    n = encoder.config.num_hidden_layers
    state = {}
    for name in layer_module_names(first_layer, n, LORA_TARGETS):
        module = _get_module(encoder, name)
        state[f"lora.{name}.a"] = module.lora_a.detach().clone()
        state[f"lora.{name}.b"] = module.lora_b.detach().clone()
    for name in layer_module_names(first_layer, n, LAYER_NORMS):
        module = _get_module(encoder, name)
        state[f"ln.{name}.weight"] = module.weight.detach().clone()
        state[f"ln.{name}.bias"] = module.bias.detach().clone()
    return state


def merge_encoder_adapter(encoder, state: dict, first_layer: int, scale: float) -> None:
    """Merge saved LoRA factors into a plain encoder (W += B @ A * scale), load its norms."""
    torch = _torch()
    n = encoder.config.num_hidden_layers
    with torch.no_grad():
        for name in layer_module_names(first_layer, n, LORA_TARGETS):
            a, b = state[f"lora.{name}.a"].float(), state[f"lora.{name}.b"].float()
            _get_module(encoder, name).weight += (b @ a) * scale
        for name in layer_module_names(first_layer, n, LAYER_NORMS):
            module = _get_module(encoder, name)
            module.weight.copy_(state[f"ln.{name}.weight"].float())
            module.bias.copy_(state[f"ln.{name}.bias"].float())


def adapter_state(net, config: dict) -> dict:
    """The trained tensors only: LoRA factors, top-layer LayerNorms, head."""
    state = encoder_adapter_state(net.encoder, config["first_layer"])
    state["head.weight"] = net.head.weight.detach().clone()
    state["head.bias"] = net.head.bias.detach().clone()
    return state


def apply_adapter(net, state: dict, config: dict) -> None:
    """Merge saved adapters into a plain encoder (W += B @ A * scale), load norms and head."""
    torch = _torch()
    scale = config["alpha"] / config["rank"]
    merge_encoder_adapter(net.encoder, state, config["first_layer"], scale)
    with torch.no_grad():
        net.head.weight.copy_(state["head.weight"].float())
        net.head.bias.copy_(state["head.bias"].float())


def load_tokenizer(name: str | None = None):
    """The base model's tokenizer alone (ONNX serving needs no torch weights)."""
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(resolve_model_path(name))


def load_base_encoder(name: str | None = None, attn_implementation: str | None = None):
    from transformers import AutoModel, AutoTokenizer

    path = resolve_model_path(name)
    kwargs = {"attn_implementation": attn_implementation} if attn_implementation else {}
    return AutoTokenizer.from_pretrained(path), AutoModel.from_pretrained(path, **kwargs)


def read_config(artifact_dir: Path = ARTIFACT_DIR) -> dict:
    return json.loads((artifact_dir / CONFIG_FILE).read_text())


def load_shipped_net(artifact_dir: Path = ARTIFACT_DIR, attn_implementation: str | None = None):
    """(tokenizer, merged eval-mode net, config) from the committed artifacts."""
    from safetensors.torch import load_file

    config = read_config(artifact_dir)
    tokenizer, encoder = load_base_encoder(
        config.get("base_model", DEFAULT_MODEL), attn_implementation
    )
    net = build_net(encoder, len(config["labels"]))
    apply_adapter(net, load_file(str(artifact_dir / ADAPTER_FILE)), config)
    net.eval()
    return tokenizer, net, config


# --------------------------------------------------------------------------------------------
# Inference
# --------------------------------------------------------------------------------------------

BACKENDS = ("onnx-int8", "onnx-fp32", "torch")
BACKEND_ENV = "GROUNDSWELL_SENTIMENT_BACKEND"


def softmax(logits: np.ndarray) -> np.ndarray:
    z = logits - logits.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


class TorchBackend:
    """The merged shipped net run by torch."""

    name = "torch"

    def __init__(self, net) -> None:
        self.net = net

    def probabilities(self, input_ids: np.ndarray, attention_mask: np.ndarray) -> np.ndarray:
        torch = _torch()
        with torch.inference_mode():
            logits = self.net(torch.from_numpy(input_ids), torch.from_numpy(attention_mask))
        return softmax(logits.float().numpy())


class OnnxBackend:
    """An ONNX Runtime session of the exported net (outputs logits)."""

    def __init__(self, path: Path, name: str, threads: int | None = None) -> None:
        from groundswell.models.shared_encoder import open_session

        self.session = open_session(path, threads)
        self.name = name
        self.path = path

    def probabilities(self, input_ids: np.ndarray, attention_mask: np.ndarray) -> np.ndarray:
        feeds = {"input_ids": input_ids, "attention_mask": attention_mask}
        return softmax(self.session.run(["logits"], feeds)[0])


class HFBackend:
    """A user's local sequence-classification model, its classes mapped onto ours."""

    def __init__(self, model, columns: list[int | None]) -> None:
        self.model = model
        self.columns = columns  # for each of our LABELS, the model's class index (or None)
        self.name = "torch"

    def probabilities(self, input_ids: np.ndarray, attention_mask: np.ndarray) -> np.ndarray:
        torch = _torch()
        with torch.inference_mode():
            logits = self.model(
                input_ids=torch.from_numpy(input_ids),
                attention_mask=torch.from_numpy(attention_mask),
            ).logits
        probs = softmax(logits.float().numpy())
        out = np.zeros((len(probs), len(LABELS)), dtype=np.float32)
        for ours, theirs in enumerate(self.columns):
            if theirs is not None:
                out[:, ours] = probs[:, theirs]
        return out / out.sum(axis=-1, keepdims=True)


def map_hf_labels(id2label: dict) -> list[int | None]:
    """For negative/neutral/positive, the index of the model's matching class.

    Names containing neg / neu / pos are matched (any case); a 3-class model with generic
    ``LABEL_0..2`` names is taken as negative/neutral/positive (TweetEval order, as the
    cardiffnlp models use). Neutral may be missing (2-class models); negative and positive not.
    """
    names = {int(i): str(name).lower() for i, name in id2label.items()}
    columns: list[int | None] = []
    for stem in ("neg", "neu", "pos"):
        hits = [i for i, name in names.items() if name.startswith(stem) or stem in name]
        columns.append(hits[0] if len(hits) == 1 else None)
    generic = all(re.fullmatch(r"label_\d+", n) for n in names.values())
    if generic and len(names) == 3:
        log.warning("model labels %s are generic; reading them as neg/neu/pos", id2label)
        return [0, 1, 2]
    if columns[0] is None or columns[2] is None:
        raise ValueError(
            f"cannot map the model's labels {id2label} to negative/neutral/positive: "
            "its id2label must name the classes (neg..., neu..., pos...)"
        )
    return columns


class SentimentModel:
    """Tokenizer + backend; ``predict`` batches texts of similar length together."""

    def __init__(
        self,
        tokenizer,
        backend,
        model_version: str,
        max_length: int = MAX_LENGTH,
        batch_size: int = 64,
        normalize: bool = True,
    ) -> None:
        self.tokenizer = tokenizer
        self.backend = backend
        self.model_version = model_version
        self.max_length = max_length
        self.batch_size = batch_size
        self.normalize = normalize

    def _encode(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
        encoded = self.tokenizer(
            texts, padding=True, truncation=True, max_length=self.max_length, return_tensors="np"
        )
        return (
            encoded["input_ids"].astype(np.int64),
            encoded["attention_mask"].astype(np.int64),
        )

    def predict_proba(self, texts: list[str]) -> np.ndarray:
        """(len(texts), 3) probabilities in LABELS order, rows aligned with ``texts``."""
        prepared = [normalize_text(t) if self.normalize else (t or "") for t in texts]
        out = np.zeros((len(prepared), len(LABELS)), dtype=np.float32)
        for batch in length_sorted_batches(prepared, self.batch_size):
            input_ids, attention_mask = self._encode([prepared[i] for i in batch])
            out[batch] = self.backend.probabilities(input_ids, attention_mask)
        return out

    def predict(self, texts: list[str]) -> list[SentimentResult]:
        probabilities = self.predict_proba(list(texts))
        return [sentiment_result(row, self.model_version) for row in probabilities]

    def iter_predict(self, texts: list[str], chunk: int = 1024) -> Iterator[SentimentResult]:
        for start in range(0, len(texts), chunk):
            yield from self.predict(texts[start : start + chunk])


def cache_dir() -> Path:
    return Path(os.environ.get("GROUNDSWELL_CACHE") or Path.home() / ".cache" / "groundswell")


def shipped_model(
    artifact_dir: Path = ARTIFACT_DIR, backend: str | None = None, threads: int | None = None
) -> SentimentModel:
    """The committed model on ``backend`` (default: config's choice, env override).

    ONNX backends are built into ``cache_dir()`` on first use; if that fails, torch serves.
    """
    config = read_config(artifact_dir)
    backend = backend or os.environ.get(BACKEND_ENV) or config.get("inference", "onnx-int8")
    if backend not in BACKENDS:
        raise ValueError(f"unknown sentiment backend {backend!r}; choose one of {BACKENDS}")
    tokenizer, net = None, None
    engine = None
    if backend.startswith("onnx"):
        try:
            from groundswell.models.export import ensure_onnx

            path = ensure_onnx(artifact_dir, quantized=backend == "onnx-int8")
            engine = OnnxBackend(path, backend, threads)
            tokenizer = load_tokenizer(config.get("base_model"))
        except Exception as exc:  # noqa: BLE001 - any export/runtime failure falls back
            log.warning("ONNX sentiment backend unavailable (%s); using torch", exc)
            engine = None
    if engine is None:
        tokenizer, net, config = load_shipped_net(artifact_dir)
        engine = TorchBackend(net)
    return SentimentModel(tokenizer, engine, config["version"], config.get("max_length", 64))


def hf_model(path: str) -> SentimentModel:
    """A local Hugging Face sequence-classification model (directory) as a SentimentModel."""
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(path)
    model = AutoModelForSequenceClassification.from_pretrained(path)
    model.eval()
    columns = map_hf_labels(model.config.id2label)
    max_length = min(int(getattr(tokenizer, "model_max_length", 512) or 512), 512)
    version = f"hf:{Path(path).name or path}"
    return SentimentModel(tokenizer, HFBackend(model, columns), version, max_length)


@lru_cache(maxsize=4)
def load_sentiment_model(name: str | None = None) -> SentimentModel:
    """The process-wide sentiment model: the shipped one, or a local HF model at ``name``."""
    if name in (None, "", "default", "groundswell"):
        return shipped_model()
    return hf_model(name)
