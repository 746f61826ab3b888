"""The 4-layer student: what training saves is what serving merges and exports."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")

from groundswell.models.sentiment import LABELS, add_lora, load_base_encoder  # noqa: E402
from groundswell.models.student import (  # noqa: E402
    KEPT_LAYERS,
    build_student,
    load_student_net,
    read_student_config,
)
from training.train_student import save_student  # noqa: E402


@pytest.mark.slow
def test_saved_adapters_merge_into_the_network_that_was_trained(tmp_path):
    torch.manual_seed(0)
    tokenizer, encoder = load_base_encoder(None)
    net = build_student(encoder, KEPT_LAYERS, len(LABELS))
    add_lora(net, 0, rank=4, alpha=8.0)
    with torch.no_grad():
        for name, parameter in net.named_parameters():
            if name.endswith("lora_b") or name.startswith(("projection", "head", "bias")):
                parameter.normal_(0, 0.02)
    net.eval()
    config = {**read_student_config(), "rank": 4, "alpha": 8.0, "version": "test"}
    save_student(net, config, tmp_path)
    _, merged, loaded = load_student_net(tmp_path)
    assert loaded["kept_layers"] == list(KEPT_LAYERS)
    batch = tokenizer(["The support team fixed my invoice in an hour."], return_tensors="pt")
    with torch.no_grad():
        trained = net(batch["input_ids"], batch["attention_mask"])
        served = merged(batch["input_ids"], batch["attention_mask"])
    for a, b in zip(trained, served, strict=True):
        assert torch.nn.functional.cosine_similarity(a.flatten(), b.flatten(), 0) > 0.999
    assert torch.allclose(net.bias, merged.bias, atol=1e-3)  # stored as fp16
    assert len(merged.encoder.encoder.layer) == len(KEPT_LAYERS)
