"""Build the ONNX Runtime versions of the shipped sentiment model into the cache dir.

    python -m models.export_onnx [--artifacts models/sentiment] [--force]

The fp32 graph is exported from the committed adapters merged into the packaged MiniLM; the
int8 graph is its dynamic quantisation (int8 weights, activations quantised at run time). Files
are named after a hash of the artifacts, so a retrained model never reuses a stale export.
Cache dir: ``$GROUNDSWELL_CACHE`` or ``~/.cache/groundswell``.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import tempfile
import warnings
from pathlib import Path

from models.sentiment import ADAPTER_FILE, ARTIFACT_DIR, CONFIG_FILE, cache_dir, read_config

OPSET = 17


def artifact_hash(artifact_dir: Path) -> str:
    digest = hashlib.sha256()
    for name in (ADAPTER_FILE, CONFIG_FILE):
        digest.update((artifact_dir / name).read_bytes())
    return digest.hexdigest()[:12]


def onnx_path(artifact_dir: Path, quantized: bool) -> Path:
    version = read_config(artifact_dir)["version"]
    suffix = "int8" if quantized else "fp32"
    return cache_dir() / f"sentiment-{version}-{artifact_hash(artifact_dir)}-{suffix}.onnx"


def export_fp32(artifact_dir: Path, target: Path) -> Path:
    import torch

    from models.sentiment import load_shipped_net

    tokenizer, net, _ = load_shipped_net(artifact_dir, attn_implementation="eager")
    sample = tokenizer(["an example tweet", "ok"], padding=True, return_tensors="pt")
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent) as tmp:
        tmp_path = Path(tmp) / target.name
        with torch.no_grad(), warnings.catch_warnings():
            warnings.simplefilter("ignore")  # tracer notes about mask shapes; sizes stay dynamic
            torch.onnx.export(
                net,
                (sample["input_ids"], sample["attention_mask"]),
                str(tmp_path),
                input_names=["input_ids", "attention_mask"],
                output_names=["logits"],
                dynamic_axes={
                    "input_ids": {0: "batch", 1: "sequence"},
                    "attention_mask": {0: "batch", 1: "sequence"},
                    "logits": {0: "batch"},
                },
                opset_version=OPSET,
                dynamo=False,
            )
        os.replace(tmp_path, target)
    return target


def quantize_int8(source: Path, target: Path) -> Path:
    from onnxruntime.quantization import QuantType, quantize_dynamic

    with tempfile.TemporaryDirectory(dir=target.parent) as tmp:
        tmp_path = Path(tmp) / target.name
        quantize_dynamic(str(source), str(tmp_path), weight_type=QuantType.QInt8)
        os.replace(tmp_path, target)
    return target


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
        quantize_int8(fp32, int8)
    return int8


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--artifacts", type=Path, default=ARTIFACT_DIR)
    parser.add_argument("--force", action="store_true", help="rebuild even if cached")
    args = parser.parse_args(argv)
    ensure_onnx(args.artifacts, quantized=True, force=args.force)
    for quantized in (False, True):
        path = onnx_path(args.artifacts, quantized)
        print(f"{path} ({path.stat().st_size / 1e6:.1f} MB)")


if __name__ == "__main__":
    main()
