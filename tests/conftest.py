"""Shared fixtures: one tiny analyzer model per session, built in code (no download).

The tokenizer is a WordPiece vocabulary built by rule from a few Arabic sentences (every
character, alone and as a continuation, plus the short words; deterministic); the model is an ``AnalyzerModel`` with a
32-wide, one-layer BERT encoder and a hashed whole-word embedding, like the bundled model. ``max_length`` 16 and ``stride`` 4 make ordinary sentences span
several windows, so windowing is always exercised. Head weights are drawn wide so predictions are
decisive (no near-ties that float noise could flip) and varied (entities, stances, events occur).

Fixtures: ``tiny_tokenizer``, ``tiny_settings`` (fresh per test), ``tiny_model_dir`` (a saved
model directory, read-only by convention), ``tiny_analyzer`` (a fresh deep copy per test).
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ARABIC_LETTERS = "ءآأؤإئابةتثجحخدذرزسشصضطظعغفقكلمنهوىي"
TINY_CORPUS = [
    "قال رئيس الوزراء محمد شياع السوداني إن بغداد تريد خروج قوات التحالف الدولي من العراق.",
    "أعلنت وزارة الدفاع الأميركية أن قاعدة عين الأسد تعرضت لهجوم بطائرات مسيرة.",
    "وأكد البرلمان العراقي قراره إنهاء وجود القوات الأجنبية في البلاد.",
    "حذرت كتائب حزب الله من استمرار وجود القوات الأميركية في الأنبار وأربيل.",
    "قتل ثلاثة جنود وأصيب 12 آخرون في هجوم صاروخي على مطار بغداد الدولي عام 2024.",
    "نفى البنتاغون وجود خطط لسحب القوات من سوريا والعراق.",
    "The US-led coalition said 2,500 troops remain in Iraq.",
    " ".join(ARABIC_LETTERS) + " " + " ".join("0123456789٠١٢٣٤٥٦٧٨٩"),
    # every letter and digit also inside words, so WordPiece learns them as "##" pieces too
    f"{ARABIC_LETTERS} {ARABIC_LETTERS[::-1]} 0123456789 9876543210 abcdefghijklmnopqrstuvwxyz",
]


def build_tiny_tokenizer(corpus: list[str] | None = None, vocab_size: int = 400) -> Any:
    """Build a WordPiece tokenizer for ``corpus`` (normalised words) and wrap it as a fast tokenizer.

    The vocabulary is chosen by rule, not trained (the ``tokenizers`` trainer breaks ties in a
    different order on each run, which made the tiny model differ between sessions): every
    character alone and as a ``##`` continuation, then the corpus's words of at most six
    characters as whole pieces and longer ones as two (their first four characters and a ``##``
    rest), until ``vocab_size``. Long words and words from outside the corpus are several
    pieces, so continuation pieces and whole-word hashing are exercised.
    """
    from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers
    from transformers import PreTrainedTokenizerFast

    from arabnews_nlp.text.normalize import normalize_word
    from arabnews_nlp.text.words import split_words

    texts = corpus if corpus is not None else TINY_CORPUS
    words = [normalize_word(text[s:e]) for text in texts for s, e in split_words(text)]
    chars = sorted({char for word in words for char in word} | set(".,:;!?()«»\"'-،؟"))
    short = sorted({word for word in words if 1 < len(word) <= 6}, key=lambda w: (len(w), w))
    halves = sorted({piece for word in words if len(word) > 6 for piece in (word[:4], f"##{word[4:]}")})
    tokens = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *chars, *(f"##{c}" for c in chars), *short, *halves]
    tokens = list(dict.fromkeys(tokens))[:vocab_size]
    backend = Tokenizer(models.WordPiece({token: i for i, token in enumerate(tokens)}, unk_token="[UNK]"))
    backend.normalizer = normalizers.BertNormalizer(strip_accents=False, lowercase=False)
    backend.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    backend.decoder = decoders.WordPiece()
    return PreTrainedTokenizerFast(
        tokenizer_object=backend,
        unk_token="[UNK]",
        cls_token="[CLS]",
        sep_token="[SEP]",
        pad_token="[PAD]",
        mask_token="[MASK]",
    )


def build_tiny_model(vocab_size: int, seed: int = 0, tokenizer: Any = None, word_buckets: int = 0) -> Any:
    """Return a random ``AnalyzerModel`` (hidden 32, 1 layer, 2 heads) with decisive heads.

    With ``word_buckets`` it also has the hashed whole-word embedding (drawn wide, so that it
    changes the outputs), its piece table taken from ``tokenizer``.
    """
    import torch
    from transformers import BertConfig

    from arabnews_nlp.model_config import AnalyzerConfig
    from arabnews_nlp.modeling import AnalyzerModel

    torch.manual_seed(seed)
    encoder = BertConfig(
        vocab_size=vocab_size,
        hidden_size=32,
        num_hidden_layers=1,
        num_attention_heads=2,
        intermediate_size=64,
        max_position_embeddings=64,
    )
    model = AnalyzerModel(AnalyzerConfig(encoder=encoder.to_dict(), word_buckets=word_buckets, word_dim=8))
    if model.word_embeddings is not None:
        model.set_word_pieces(tokenizer)
        with torch.no_grad():
            model.word_embeddings.weight[1:].normal_(std=1.0)
    with torch.no_grad():
        for head in (model.ner_head, model.stance_head, model.event_head):
            head.weight.normal_(std=0.5)
            head.bias.zero_()
        model.ner_head.bias[0] = 1.5  # more O than entity tags, as in text
    return model.eval()


def build_tiny_settings() -> Any:
    """Return settings with 16-token windows and a 4-token stride."""
    from arabnews_nlp.settings import AnalyzerSettings

    return AnalyzerSettings(
        max_length=16, stride=4, description="tiny random test model", trained=False, base_model=None
    )


@pytest.fixture(scope="session")
def tiny_tokenizer() -> Any:
    """A tiny fast WordPiece tokenizer (do not mutate)."""
    return build_tiny_tokenizer()


@pytest.fixture
def tiny_settings() -> Any:
    """Fresh tiny settings for each test."""
    return build_tiny_settings()


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory: pytest.TempPathFactory, tiny_tokenizer: Any) -> Path:
    """A complete model directory (float32 weights) holding the tiny model; treat as read-only."""
    import torch

    from arabnews_nlp.model_dir import save_analyzer

    directory = tmp_path_factory.mktemp("tiny_model")
    model = build_tiny_model(len(tiny_tokenizer), tokenizer=tiny_tokenizer, word_buckets=257)
    save_analyzer(directory, model, tiny_tokenizer, build_tiny_settings(), dtype=torch.float32)
    return directory


@pytest.fixture(scope="session")
def _session_analyzer(tiny_model_dir: Path) -> Any:
    from arabnews_nlp import Analyzer

    return Analyzer.from_pretrained(tiny_model_dir, device="cpu")


@pytest.fixture
def tiny_analyzer(_session_analyzer: Any) -> Iterator[Any]:
    """A deep copy of the tiny analyzer, free to modify in the test."""
    yield copy.deepcopy(_session_analyzer)
