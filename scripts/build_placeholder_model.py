"""Build an UNTRAINED placeholder model directory, for wiring and packaging experiments.

The placeholder let ``analyze()``, the CLI and the wheel work end to end before a real model was
trained (``models/default`` is now the trained model; this script never writes there unless told
to with ``--output models/default``). It is clearly marked as such (``trained: false``, its description and
its model card): a WordPiece tokenizer trained on the seed articles, a small randomly
initialised BERT encoder, and heads with zero weights whose biases make every prediction
"nothing": no entities, ``neutral`` stance, no events. It never pretends to analyse.

Usage:
    python scripts/build_placeholder_model.py --output DIR

Example:
    $ python scripts/build_placeholder_model.py --output /tmp/placeholder && arabnews-nlp info --model /tmp/placeholder
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SPECIAL_TOKENS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
DESCRIPTION = (
    "UNTRAINED PLACEHOLDER for wiring and packaging only: random encoder, constant heads "
    "(predicts no entities, neutral stance, no events). Not a model of Arabic news."
)


def train_tokenizer(texts: list[str], vocab_size: int) -> Any:
    """Train a WordPiece tokenizer on the normalised words of ``texts``."""
    from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    from arabnews_nlp.text.normalize import normalize_word
    from arabnews_nlp.text.words import split_words

    lines = [" ".join(normalize_word(text[s:e]) for s, e in split_words(text)) for text in texts]
    backend = Tokenizer(models.WordPiece(unk_token="[UNK]"))
    backend.normalizer = normalizers.BertNormalizer(strip_accents=False, lowercase=False)
    backend.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    backend.decoder = decoders.WordPiece()
    trainer = trainers.WordPieceTrainer(vocab_size=vocab_size, special_tokens=SPECIAL_TOKENS)
    backend.train_from_iterator(lines, trainer=trainer)
    return PreTrainedTokenizerFast(
        tokenizer_object=backend,
        unk_token="[UNK]",
        cls_token="[CLS]",
        sep_token="[SEP]",
        pad_token="[PAD]",
        mask_token="[MASK]",
        model_max_length=128,
    )


def build_model(vocab_size: int, max_length: int) -> Any:
    """Return a small random analyzer whose heads always predict O / neutral / no event."""
    import torch
    from transformers import BertConfig

    from arabnews_nlp.model_config import AnalyzerConfig
    from arabnews_nlp.modeling import AnalyzerModel
    from arabnews_nlp.schema import NER_TAGS, NEUTRAL, OUTSIDE, STANCE_LABELS

    torch.manual_seed(0)
    encoder = BertConfig(
        vocab_size=vocab_size,
        hidden_size=128,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=256,
        max_position_embeddings=max_length,
    )
    model = AnalyzerModel(AnalyzerConfig(encoder=encoder.to_dict()))
    with torch.no_grad():
        for head in (model.ner_head, model.stance_head, model.event_head):
            head.weight.zero_()
            head.bias.zero_()
        model.ner_head.bias[NER_TAGS.index(OUTSIDE)] = 4.0
        model.stance_head.bias[STANCE_LABELS.index(NEUTRAL)] = 4.0
        model.event_head.bias.fill_(-4.0)
    return model.eval()


def main(argv: list[str] | None = None) -> int:
    """Build the placeholder model directory; return 0."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, required=True,
                        help="the directory to write (replaced if it exists; not models/default, the trained model, "
                        "unless you mean it)")  # fmt: skip
    parser.add_argument("--seeds", type=Path, default=ROOT / "seeds" / "raw")
    parser.add_argument("--vocab-size", type=int, default=4000)
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))

    import torch

    from arabnews_nlp.model_card import render_model_card
    from arabnews_nlp.model_dir import save_analyzer
    from arabnews_nlp.settings import AnalyzerSettings

    texts = [path.read_text(encoding="utf-8") for path in sorted(args.seeds.glob("*.txt"))]
    if not texts:
        parser.error(f"no seed articles (*.txt) in {args.seeds}")
    tokenizer = train_tokenizer(texts, args.vocab_size)
    settings = AnalyzerSettings(max_length=128, stride=32, trained=False, description=DESCRIPTION)
    model = build_model(len(tokenizer), settings.max_length)
    with tempfile.TemporaryDirectory(dir=args.output.parent if args.output.parent.exists() else None) as tmp:
        staging = Path(tmp) / "model"
        save_analyzer(staging, model, tokenizer, settings, dtype=torch.float16)
        saved = AnalyzerSettings.load(staging)
        card = render_model_card(saved, title="arabnews-nlp default model: UNTRAINED PLACEHOLDER")
        (staging / "README.md").write_text(card, encoding="utf-8")
        if args.output.exists():
            shutil.rmtree(args.output)
        args.output.parent.mkdir(parents=True, exist_ok=True)
        shutil.copytree(staging, args.output)
    for path in args.output.iterdir():
        path.chmod(0o644)  # some writers create 0600 files; the wheel must be readable by all users
    size = sum(path.stat().st_size for path in args.output.iterdir())
    print(f"wrote {args.output} ({size / 1e6:.2f} MB, vocabulary {len(tokenizer)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
