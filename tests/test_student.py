"""The 4-layer student: what training saves is what serving merges and exports."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")

from groundswell.models.sentiment import LABELS, add_lora, load_base_encoder  # noqa: E402
from groundswell.models.student import (  # noqa: E402
    KEPT_LAYERS,
    STUDENT_DIR,
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


@pytest.mark.slow
def test_a_refitted_head_is_folded_into_the_head_and_bias_exactly(tmp_path):
    """training/tune_head.py fits ``D @ mean state + d`` on top of the text's logits and folds
    it into the head: the saved student must give exactly those logits, states unchanged."""
    import numpy as np

    from training.tune_head import save_head

    rng = np.random.default_rng(0)
    correction = (rng.normal(0, 0.05, (3, 384)).astype(np.float32),
                  rng.normal(0, 0.5, 3).astype(np.float32))  # fmt: skip
    offsets = np.array([0.3, 0.0, -0.2], dtype=np.float32)
    save_head(STUDENT_DIR, tmp_path, correction, offsets, {**read_student_config(), "version": "t"})
    tokenizer, shipped, _ = load_student_net(STUDENT_DIR)
    _, refitted, config = load_student_net(tmp_path)
    assert config["version"] == "t"
    batch = tokenizer(["Support never answered, but the app itself works well."],
                      return_tensors="pt")  # fmt: skip
    with torch.no_grad():
        states, logits = shipped(batch["input_ids"], batch["attention_mask"])
        new_states, new_logits = refitted(batch["input_ids"], batch["attention_mask"])
    assert torch.allclose(states, new_states)
    mean_state = states[0].mean(0).numpy()
    before = logits[0].mean(0).numpy() + shipped.bias.detach().numpy()
    after = new_logits[0].mean(0).numpy() + refitted.bias.detach().numpy()
    expected = before + correction[0] @ mean_state + correction[1] + offsets
    assert np.allclose(after, expected, atol=0.02)  # head and bias are stored as fp16
    assert not np.allclose(after, before, atol=0.1)
