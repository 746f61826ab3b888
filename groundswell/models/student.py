"""The 4-layer student that serves the tagger's shared pass (``groundswell/models/shared_encoder.py``).

The joint graph (``groundswell/models/export.py: build_joint_net``) runs 8 transformer layers per text:
MiniLM's 6, plus the sentiment model's LoRA copies of layers 4-5. The student runs 4: MiniLM's
layers 0, 2, 4 and 5 (dropping middle layers keeps the top layers that shape the embedding
space: 0.84 embedding cosine to the full model before any training, where layers 0-3 give 0.36),
with LoRA on every linear, trained LayerNorms (``groundswell.models.sentiment.add_lora`` from layer 0; the
adapters are saved and merged as the sentiment model's are) and two linear outputs per token:

* ``token_states``: a 384x384 projection trained to reproduce the plain MiniLM's token states
  (the space topics and keyphrases are calibrated in);
* ``token_logits``: a linear sentiment head, whose mean over the tokens plus ``bias`` is the
  text's sentiment logits (as in the joint graph).

It is trained by ``training/train_student.py`` to match the joint graph's outputs and the
sentiment labels; its artifacts (adapters, projection, head: ~4 MB) live in ``groundswell/models/artifacts/student/``.
"""

from __future__ import annotations

import json
from pathlib import Path

from groundswell.models import ARTIFACTS
from groundswell.models.sentiment import (
    ADAPTER_FILE,
    CONFIG_FILE,
    _get_module,
    encoder_adapter_state,
    load_base_encoder,
    merge_encoder_adapter,
)

STUDENT_DIR = ARTIFACTS / "student"
KEPT_LAYERS = (0, 2, 4, 5)


def read_student_config(student_dir: Path = STUDENT_DIR) -> dict:
    return json.loads((student_dir / CONFIG_FILE).read_text())


def build_student(encoder, kept_layers: tuple[int, ...], num_labels: int = 3):
    """``encoder`` (a MiniLM ``BertModel``) cut to ``kept_layers`` -> StudentNet, whose
    ``forward(input_ids, attention_mask)`` gives (token states, token sentiment logits)."""
    import torch
    from transformers.masking_utils import create_bidirectional_mask

    encoder.encoder.layer = torch.nn.ModuleList([encoder.encoder.layer[i] for i in kept_layers])
    encoder.config.num_hidden_layers = len(kept_layers)
    hidden_size = encoder.config.hidden_size

    class StudentNet(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.encoder = encoder
            self.projection = torch.nn.Linear(hidden_size, hidden_size)
            self.head = torch.nn.Linear(hidden_size, num_labels, bias=False)
            self.bias = torch.nn.Parameter(torch.zeros(num_labels))

        def hidden(self, input_ids, attention_mask):
            hidden = self.encoder.embeddings(input_ids=input_ids)
            mask = create_bidirectional_mask(
                config=self.encoder.config, inputs_embeds=hidden, attention_mask=attention_mask
            )
            for layer in self.encoder.encoder.layer:
                hidden = layer(hidden, mask)
            return hidden

        def forward(self, input_ids, attention_mask):
            hidden = self.hidden(input_ids, attention_mask)
            return self.projection(hidden), self.head(hidden)

    return StudentNet()


def student_state(net) -> dict:
    """The trained tensors: LoRA factors, LayerNorms, projection, head and bias."""
    state = encoder_adapter_state(net.encoder, 0)
    state["projection.weight"] = net.projection.weight.detach().clone()
    state["projection.bias"] = net.projection.bias.detach().clone()
    state["head.weight"] = net.head.weight.detach().clone()
    state["bias"] = net.bias.detach().clone()
    return state


def apply_student_state(net, state: dict, config: dict) -> None:
    """Merge saved LoRA factors into the plain linears (W += B @ A * scale), load the rest."""
    import torch

    merge_encoder_adapter(net.encoder, state, 0, config["alpha"] / config["rank"])
    with torch.no_grad():
        for key in ("projection.weight", "projection.bias", "head.weight", "bias"):
            _get_module(net, key).copy_(state[key].float())


def load_student_net(student_dir: Path = STUDENT_DIR, attn_implementation: str | None = None):
    """(tokenizer, merged eval-mode student, config) from the committed artifacts."""
    from safetensors.torch import load_file

    config = read_student_config(student_dir)
    tokenizer, encoder = load_base_encoder(config.get("base_model"), attn_implementation)
    net = build_student(encoder, tuple(config["kept_layers"]), len(config["labels"]))
    apply_student_state(net, load_file(str(student_dir / ADAPTER_FILE)), config)
    return tokenizer, net.eval(), config
