"""Build the ONNX Runtime versions of the shipped sentiment model into the cache dir.

    python -m groundswell.models.export [--artifacts groundswell/models/sentiment] [--force]

The fp32 graph is exported from the committed adapters merged into the packaged MiniLM; the
int8 graph has int8 weights (one scale per output channel) and activations quantised with fixed
ranges, measured once on ``calibration_texts.py`` (``static_activations``), so that a text
scores the same whatever it is batched with: ONNX Runtime's dynamic quantisation takes each
activation's range from the whole batch, which moved scores by up to 0.18 and flipped 29 of
2,000 TweetEval labels with the batch a text shared. The
joint int8 graph (``groundswell/models/shared_encoder.py``) adds the plain encoder's top layers beside the
sentiment model's, so that one pass serves sentiment, topics and keyphrases; the student graph
(``groundswell/models/student.py``) gives the same outputs from 4 layers instead of 8. Files are named
after a hash of the artifacts, so a retrained model never reuses a stale export.
Cache dir: ``$GROUNDSWELL_CACHE`` or ``~/.cache/groundswell``.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import tempfile
import warnings
from pathlib import Path

import numpy as np

from groundswell.models.sentiment import (
    ADAPTER_FILE,
    ARTIFACT_DIR,
    CONFIG_FILE,
    cache_dir,
    read_config,
)

OPSET = 17
SENTIMENT_GRAPH = "sentiment4"  # bump when the sentiment model's graph or quantisation changes
JOINT_GRAPH = "joint4"  # likewise for the joint graph
STUDENT_GRAPH = "student4"  # likewise for the student's graph
PER_TOKEN = {0: "batch", 1: "sequence"}
TOKEN_OUTPUTS = {"token_states": PER_TOKEN, "token_logits": PER_TOKEN}  # the shared-pass graphs


def artifact_hash(artifact_dir: Path) -> str:
    digest = hashlib.sha256()
    for name in (ADAPTER_FILE, CONFIG_FILE):
        digest.update((artifact_dir / name).read_bytes())
    return digest.hexdigest()[:12]


def onnx_path(artifact_dir: Path, quantized: bool, graph: str = SENTIMENT_GRAPH) -> Path:
    version = read_config(artifact_dir)["version"]
    suffix = "int8" if quantized else "fp32"
    return cache_dir() / f"{graph}-{version}-{artifact_hash(artifact_dir)}-{suffix}.onnx"


def export_graph(module, tokenizer, target: Path, outputs: dict[str, dict]) -> Path:
    """Trace ``module(input_ids, attention_mask)`` into ``target`` (written atomically);
    ``outputs`` names each output with its dynamic axes."""
    import torch

    sample = tokenizer(["an example tweet", "ok"], padding=True, return_tensors="pt")
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent) as tmp:
        tmp_path = Path(tmp) / target.name
        with torch.no_grad(), warnings.catch_warnings():
            warnings.simplefilter("ignore")  # tracer notes about mask shapes; sizes stay dynamic
            torch.onnx.export(
                module,
                (sample["input_ids"], sample["attention_mask"]),
                str(tmp_path),
                input_names=["input_ids", "attention_mask"],
                output_names=list(outputs),
                dynamic_axes={"input_ids": PER_TOKEN, "attention_mask": PER_TOKEN, **outputs},
                opset_version=OPSET,
                dynamo=False,
            )
        os.replace(tmp_path, target)
    return target


def export_fp32(artifact_dir: Path, target: Path) -> Path:
    from groundswell.models.sentiment import load_shipped_net

    tokenizer, net, _ = load_shipped_net(artifact_dir, attn_implementation="eager")
    return export_graph(net, tokenizer, target, {"logits": {0: "batch"}})


def export_joint_fp32(artifact_dir: Path, target: Path) -> Path:
    """The joint graph ``groundswell/models/shared_encoder.py`` serves: shared layers, then both tops."""
    from groundswell.models.sentiment import load_base_encoder, load_shipped_net

    tokenizer, net, config = load_shipped_net(artifact_dir, attn_implementation="eager")
    _, base = load_base_encoder(config.get("base_model"), attn_implementation="eager")
    joint = build_joint_net(base.eval(), net, config["first_layer"])
    return export_graph(joint, tokenizer, target, TOKEN_OUTPUTS)


def build_joint_net(base, net, first_layer: int):
    """(input_ids, attention_mask) -> (plain encoder's token states, per-token sentiment
    logits without bias). Layers below ``first_layer`` are identical in both models (LoRA only
    touches the layers above), so they run once."""
    import torch
    from transformers.masking_utils import create_bidirectional_mask

    class JointNet(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.base = base
            self.sentiment = net

        def forward(self, input_ids, attention_mask):
            hidden = self.base.embeddings(input_ids=input_ids)
            mask = create_bidirectional_mask(
                config=self.base.config, inputs_embeds=hidden, attention_mask=attention_mask
            )
            for layer in self.base.encoder.layer[:first_layer]:
                hidden = layer(hidden, mask)
            states, tuned = hidden, hidden
            for layer in self.base.encoder.layer[first_layer:]:
                states = layer(states, mask)
            for layer in self.sentiment.encoder.encoder.layer[first_layer:]:
                tuned = layer(tuned, mask)
            return states, tuned @ self.sentiment.head.weight.t()

    return JointNet().eval()


def quantize_int8(source: Path, target: Path, tokenizer, per_channel: bool = False) -> Path:
    """int8 weights and statically quantised activations (``static_activations``).
    ``per_channel`` (a weight scale per output row) keeps the joint graph's embeddings at cosine
    0.99 to fp32 on TweetEval texts (0.96 per tensor)."""
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    from groundswell.models.quiet import root_logging_silenced

    with tempfile.TemporaryDirectory(dir=target.parent) as tmp, root_logging_silenced():
        tmp_path = Path(tmp) / target.name
        quantize_dynamic(  # it logs "consider pre-processing" advice through the root logger
            str(source), str(tmp_path), weight_type=QuantType.QInt8, per_channel=per_channel
        )
        model = onnx.load(str(tmp_path))
        model = static_activations(model, activation_ranges(model, tokenizer))
        model = fuse_integer_matmuls(model)
        onnx.save(model, str(tmp_path))
        os.replace(tmp_path, target)
    return target


def quantised_inputs(model) -> list[str]:
    """The activations ``quantize_dynamic`` quantises at run time (``DynamicQuantizeLinear``)."""
    return [n.input[0] for n in model.graph.node if n.op_type == "DynamicQuantizeLinear"]


def activation_ranges(model, tokenizer, batch_size: int = 16) -> dict[str, tuple[float, float]]:
    """(min, max) of every quantised activation over the calibration texts' real tokens."""
    import onnxruntime as ort
    from onnx import TensorProto, helper

    from groundswell.models.calibration_texts import CALIBRATION_TEXTS
    from groundswell.models.encoder import padded_ids
    from groundswell.models.sentiment import normalize_text

    names = quantised_inputs(model)
    probe = type(model)()
    probe.CopyFrom(model)
    probe.graph.output.extend(
        helper.make_tensor_value_info(n, TensorProto.FLOAT, None) for n in names
    )
    session = ort.InferenceSession(probe.SerializeToString(), providers=["CPUExecutionProvider"])
    texts = [normalize_text(t) for t in CALIBRATION_TEXTS]
    ids = tokenizer(texts, truncation=True, max_length=128)["input_ids"]
    low, high = dict.fromkeys(names, 0.0), dict.fromkeys(names, 0.0)
    for start in range(0, len(ids), batch_size):
        input_ids, mask = padded_ids(ids[start : start + batch_size])
        outputs = session.run(names, {"input_ids": input_ids, "attention_mask": mask})
        real = mask.astype(bool)
        for name, values in zip(names, outputs, strict=True):
            values = values[real] if values.shape[:2] == real.shape else values
            low[name] = min(low[name], float(values.min()))
            high[name] = max(high[name], float(values.max()))
    return {name: (low[name], high[name]) for name in names}


def static_activations(model, ranges: dict[str, tuple[float, float]]):
    """Replace every ``DynamicQuantizeLinear`` (its range taken from the whole activation
    tensor, i.e. from every text in the batch) by a ``QuantizeLinear`` with the fixed uint8
    scale and zero point of its calibrated range; values outside it saturate. Consumers are
    unchanged: they read the scale and zero point, now constants."""
    from onnx import helper, numpy_helper

    nodes, constants = [], []
    for node in model.graph.node:
        if node.op_type != "DynamicQuantizeLinear":
            nodes.append(node)
            continue
        (x,), (quantized, scale, zero_point) = node.input, node.output
        low, high = ranges[x]
        step = max(high - low, 1e-6) / 255.0
        constants += [
            numpy_helper.from_array(np.array(step, dtype=np.float32), f"{scale}_static"),
            numpy_helper.from_array(
                np.array(round(-low / step), dtype=np.uint8), f"{zero_point}_static"
            ),
        ]
        nodes += [
            helper.make_node(
                "QuantizeLinear", [x, f"{scale}_static", f"{zero_point}_static"], [quantized]
            ),
            helper.make_node("Identity", [f"{scale}_static"], [scale]),
            helper.make_node("Identity", [f"{zero_point}_static"], [zero_point]),
        ]
    del model.graph.node[:]
    model.graph.node.extend(nodes)
    model.graph.initializer.extend(constants)
    return model


def fuse_integer_matmuls(model):
    """Each ``MatMulInteger -> Cast -> Mul(a_scale * b_scale)`` as one ``MatMulIntegerToFloat``
    (ONNX Runtime's contrib op; the same arithmetic, bit for bit). ONNX Runtime fuses that
    pattern itself only behind a ``DynamicQuantizeLinear``: with the static activation ranges
    the three nodes ran apart, and the pass was about 15% slower."""
    from onnx import helper

    nodes = list(model.graph.node)
    producers = {output: node for node in nodes for output in node.output}
    consumers: dict[str, list] = {}
    for node in nodes:
        for name in node.input:
            consumers.setdefault(name, []).append(node)

    def only_consumer(name: str, op_type: str):
        found = consumers.get(name, [])
        return found[0] if len(found) == 1 and found[0].op_type == op_type else None

    dropped, fused = set(), {}
    for matmul in (node for node in nodes if node.op_type == "MatMulInteger"):
        cast = only_consumer(matmul.output[0], "Cast")
        mul = cast and only_consumer(cast.output[0], "Mul")
        scales = mul and producers.get(mul.input[1])
        if not (scales and scales.op_type == "Mul" and len(consumers[scales.output[0]]) == 1):
            continue
        a_quantized, b_quantized, a_zero_point, b_zero_point = matmul.input
        inputs = [a_quantized, b_quantized, *scales.input, a_zero_point, b_zero_point]
        fused[id(mul)] = helper.make_node("MatMulIntegerToFloat", inputs, [mul.output[0]],
                                          name=f"{mul.output[0]}_fused", domain="com.microsoft")  # fmt: skip
        dropped |= {id(matmul), id(cast), id(scales)}
    kept = [fused.get(id(node), node) for node in nodes if id(node) not in dropped]
    del model.graph.node[:]
    model.graph.node.extend(kept)
    if fused and not any(entry.domain == "com.microsoft" for entry in model.opset_import):
        model.opset_import.append(helper.make_opsetid("com.microsoft", 1))
    return model


def ensure_onnx(
    artifact_dir: Path = ARTIFACT_DIR, quantized: bool = True, force: bool = False
) -> Path:
    """The cached ONNX file for the artifacts, exported (and quantised) when missing."""
    fp32 = onnx_path(artifact_dir, quantized=False)
    if force or not fp32.exists():
        export_fp32(artifact_dir, fp32)
    if not quantized:
        return fp32
    int8 = onnx_path(artifact_dir, quantized=True)
    if force or not int8.exists():
        from groundswell.models.sentiment import load_tokenizer

        quantize_int8(fp32, int8, load_tokenizer(read_config(artifact_dir).get("base_model")))
    return int8


def ensure_int8_graph(artifact_dir: Path, graph: str, export_fp32, force: bool = False) -> Path:
    """The cached int8 (per channel) ``graph`` of ``artifact_dir``, built when missing by
    ``export_fp32(artifact_dir, target)``; only the int8 file is kept."""
    from groundswell.models.sentiment import load_tokenizer

    int8 = onnx_path(artifact_dir, quantized=True, graph=graph)
    if force or not int8.exists():
        int8.parent.mkdir(parents=True, exist_ok=True)
        tokenizer = load_tokenizer(read_config(artifact_dir).get("base_model"))
        with tempfile.TemporaryDirectory(dir=int8.parent) as tmp:
            fp32 = export_fp32(artifact_dir, Path(tmp) / f"{graph}-fp32.onnx")
            quantize_int8(fp32, int8, tokenizer, per_channel=True)
    return int8


def ensure_joint_onnx(artifact_dir: Path = ARTIFACT_DIR, force: bool = False) -> Path:
    """The cached int8 joint graph (sentiment + plain token states), built when missing."""
    return ensure_int8_graph(artifact_dir, JOINT_GRAPH, export_joint_fp32, force)


def export_student_fp32(student_dir: Path, target: Path) -> Path:
    """The 4-layer student (``groundswell/models/student.py``): the same outputs as the joint graph."""
    from groundswell.models.student import load_student_net

    tokenizer, net, _ = load_student_net(student_dir, attn_implementation="eager")
    return export_graph(net, tokenizer, target, TOKEN_OUTPUTS)


def ensure_student_onnx(student_dir: Path | None = None, force: bool = False) -> Path:
    """The cached int8 student graph, built when missing."""
    from groundswell.models.student import STUDENT_DIR

    return ensure_int8_graph(student_dir or STUDENT_DIR, STUDENT_GRAPH, export_student_fp32, force)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--artifacts", type=Path, default=ARTIFACT_DIR)
    parser.add_argument("--force", action="store_true", help="rebuild even if cached")
    args = parser.parse_args(argv)
    ensure_onnx(args.artifacts, quantized=True, force=args.force)
    for path in (
        onnx_path(args.artifacts, quantized=False),
        onnx_path(args.artifacts, quantized=True),
        ensure_joint_onnx(args.artifacts, force=args.force),
        ensure_student_onnx(force=args.force),
    ):
        print(f"{path} ({path.stat().st_size / 1e6:.1f} MB)")


if __name__ == "__main__":
    main()
