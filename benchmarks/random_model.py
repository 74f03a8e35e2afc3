"""Build a random analyzer of a chosen encoder size, for speed runs before a trained model exists.

The tokenizer and settings are copied from an existing model directory (the bundled model by
default; ``--base`` a placeholder from ``scripts/build_placeholder_model.py`` for its small
vocabulary); the encoder is BERT-shaped with random weights, and the heads are drawn wide so that
predictions are decisive and varied (entities, stances and events all occur). Predictions mean
nothing; only speed and the agreement checks of ``benchmarks/run.py`` and
``benchmarks/quantization.py`` are meaningful on it.

Usage:
    python benchmarks/random_model.py --size mini --output /tmp/random-mini

Example:
    $ python benchmarks/random_model.py --size base --output /tmp/random-base
    $ python benchmarks/run.py --model /tmp/random-base --articles 200
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import common  # noqa: F401  (puts the repository on sys.path)

SIZES: dict[str, dict[str, int]] = {
    "tiny": {"hidden_size": 128, "num_hidden_layers": 2, "num_attention_heads": 2, "intermediate_size": 256},
    "mini": {"hidden_size": 256, "num_hidden_layers": 4, "num_attention_heads": 4, "intermediate_size": 1024},
    "small": {"hidden_size": 512, "num_hidden_layers": 4, "num_attention_heads": 8, "intermediate_size": 2048},
    "medium": {"hidden_size": 512, "num_hidden_layers": 8, "num_attention_heads": 8, "intermediate_size": 2048},
    "base": {"hidden_size": 768, "num_hidden_layers": 12, "num_attention_heads": 12, "intermediate_size": 3072},
}
"""Encoder shapes (the BERT-tiny/mini/small/medium/base family of Turc et al.)."""


def build_random_model(size: str, vocab_size: int, max_positions: int, seed: int = 0) -> Any:
    """Return a random ``AnalyzerModel`` with a ``size`` encoder and decisive, varied heads.

    Example:
        >>> # build_random_model("mini", vocab_size=2574, max_positions=128)
    """
    import torch
    from transformers import BertConfig

    from arabnews_nlp.model_config import AnalyzerConfig
    from arabnews_nlp.modeling import AnalyzerModel

    torch.manual_seed(seed)
    encoder = BertConfig(vocab_size=vocab_size, max_position_embeddings=max_positions, **SIZES[size])
    model = AnalyzerModel(AnalyzerConfig(encoder=encoder.to_dict()))
    with torch.no_grad():
        for head in (model.ner_head, model.stance_head, model.event_head):
            head.weight.normal_(std=0.5)
            head.bias.zero_()
        model.ner_head.bias[0] = 2.0  # mostly O, as in text
        model.event_head.bias.fill_(-1.0)  # a few events per sentence, not all
    return model.eval()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Build a random analyzer for speed runs.")
    parser.add_argument("--size", choices=sorted(SIZES), default="mini")
    parser.add_argument("--output", required=True, help="directory to write")
    parser.add_argument("--base", default=None, help="model directory whose tokenizer and settings are reused (default: bundled)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    import dataclasses

    import torch

    from arabnews_nlp.model_dir import load_analyzer, save_analyzer

    _, tokenizer, settings = load_analyzer(args.base, device="cpu")
    model = build_random_model(args.size, len(tokenizer), settings.max_length, args.seed)
    settings = dataclasses.replace(
        settings, trained=False, description=f"RANDOM {args.size} analyzer for speed runs only; predictions mean nothing."
    )
    save_analyzer(args.output, model, tokenizer, settings, dtype=torch.float32)
    print(f"wrote {Path(args.output)} ({sum(p.numel() for p in model.parameters()) / 1e6:.1f} M parameters)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
