"""Inference: the encoder, the sentiment model, the distilled student and the shared ONNX pass.

Trained artifacts (adapters, heads, model cards) are package data under ``artifacts/``; the
scripts that reproduce them live in ``training/`` at the repository root (not in the wheel).
"""

from pathlib import Path

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
