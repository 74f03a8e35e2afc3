"""``python -m training anercorp``: the public ANERcorp NER benchmark (CAMeL Lab split).

Protocol (as published for AraBERT and CAMeL Tools; Obeid et al. 2020): fine-tune a
token-classification head with the **original** tags (PERS, LOC, ORG, MISC; 9 BIO tags) on
``ANERCorp_CamelLab_train``, holding out its **last 10 % of sentences as dev** to select the
epoch; score that epoch on **both** test files: ``test.official_as_found`` (the file published
numbers were computed on, with a known artefact) and ``test.reconstructed`` (the repaired one).
Never train or tune on a test file.

Scores are seqeval micro-F1 on the corpus tokens: ``f1`` in seqeval's default (conlleval) mode,
the one the published numbers use, and ``f1_strict`` (IOB2 strict). Each token is joined with
spaces into a sentence, encoded by the runtime's :func:`~arabnews_nlp.encoding.encode_span`
(so long sentences are windowed, never truncated); a token's tag is the predicted tag of its
first word. Reference points: AraBERTv0.1 83.1 and mBERT 78.4 micro-F1 (Antoun et al. 2020).

Example:
    >>> word_tags_of_tokens(["(د", "ب"], ["B-ORG", "I-ORG"])
    ['B-ORG', 'I-ORG', 'I-ORG']
"""

from __future__ import annotations

import argparse
import copy
import logging
import shlex
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from transformers import TrainerCallback

from arabnews_nlp.errors import ConfigError, DataFormatError
from arabnews_nlp.model_dir import save_tokenizer
from arabnews_nlp.schema import ANERCORP_TO_SCHEMA, OUTSIDE, bio_labels
from arabnews_nlp.text.words import split_words
from training.base_checks import base_load_errors, check_base
from training.evaluation.cli import positive_int

logger = logging.getLogger(__name__)

ANERCORP_TYPES: tuple[str, ...] = tuple(t for t in ANERCORP_TO_SCHEMA if t != "PER")
"""ANERcorp's own entity types, PERS LOC ORG MISC (the keys of the schema's corpus table minus
its ``PER`` alias): the benchmark scores these, not the schema's."""
ANERCORP_TAGS: tuple[str, ...] = bio_labels(ANERCORP_TYPES)
TRAIN_FILE = "ANERCorp_CamelLab_train.reconstructed.txt"
TEST_FILES = {
    "test.official_as_found": "ANERCorp_CamelLab_test.official_as_found.txt",
    "test.reconstructed": "ANERCorp_CamelLab_test.reconstructed.txt",
}
Sentence = tuple[list[str], list[str]]


def default_data_dir() -> Path:
    """``../shared/data/anercorp`` relative to the repository root.

    Example:
        >>> default_data_dir().name
        'anercorp'
    """
    return Path(__file__).resolve().parents[1].parent / "shared" / "data" / "anercorp"


def split_dev(sentences: Sequence[Sentence], fraction: float = 0.1) -> tuple[list[Sentence], list[Sentence]]:
    """Hold out the last ``fraction`` of sentences as dev (no shuffling: the published split).

    Example:
        >>> train, dev = split_dev([(["a"], ["O"])] * 10)
        >>> len(train), len(dev)
        (9, 1)
    """
    cut = int(len(sentences) * (1 - fraction))  # 3,989 CAMeL train sentences -> 3,590 + 399
    return list(sentences[:cut]), list(sentences[cut:])


def word_tags_of_tokens(tokens: Sequence[str], tags: Sequence[str]) -> list[str]:
    """Spread token tags over the words of ``" ".join(tokens)`` (a token may hold several words).

    The first word of a token takes the token's tag, the others continue it (``I-X``) or stay
    ``O``.

    Example:
        >>> word_tags_of_tokens(["بغداد،", "نعم"], ["B-LOC", "O"])
        ['B-LOC', 'I-LOC', 'O']
    """
    out: list[str] = []
    for token, tag in zip(tokens, tags):
        n = len(split_words(token))
        out += [tag] + [OUTSIDE if tag == OUTSIDE else f"I-{tag.split('-', 1)[1]}"] * (n - 1) if n else []
    return out


def token_tags_of_words(tokens: Sequence[str], word_tags: Sequence[str]) -> list[str]:
    """Read one tag per token back: the tag of its first word (``O`` for a token without words).

    Example:
        >>> token_tags_of_words(["بغداد،", "نعم"], ["B-LOC", "I-LOC", "O"])
        ['B-LOC', 'O']
    """
    out, position = [], 0
    for token in tokens:
        n = len(split_words(token))
        out.append(word_tags[position] if n else OUTSIDE)
        position += n
    return out


def read_split(path: Path, limit: int | None = None) -> list[Sentence]:
    """Read a CoNLL file of the split, checking its tags.

    Raises:
        DataFormatError: On a tag outside :data:`ANERCORP_TAGS`.
    """
    from training.data.convert_conll import read_conll

    sentences = read_conll(path)[:limit]
    unknown = {t for _, tags in sentences for t in tags} - set(ANERCORP_TAGS)
    if unknown:
        raise DataFormatError(f"{path}: tags {sorted(unknown)} are not ANERcorp tags {list(ANERCORP_TAGS)}")
    return sentences


def encode_sentences(sentences: Sequence[Sentence], tokenizer: Any, settings: Any) -> list[Any]:
    """Encode each sentence (tokens joined by spaces) into an :class:`EncodedSpan`."""
    from arabnews_nlp.encoding import encode_span

    texts = [" ".join(tokens) for tokens, _ in sentences]
    return [encode_span(text, 0, len(text), tokenizer, settings) for text in texts]


def build_examples(sentences: Sequence[Sentence], spans: Sequence[Any]) -> Any:
    """Token-classification examples (``input_ids``, ``labels``), one per window."""
    import datasets

    from training.features import window_tag_ids

    rows: dict[str, list[Any]] = {"input_ids": [], "labels": []}
    for (tokens, tags), span in zip(sentences, spans):
        tag_ids = [ANERCORP_TAGS.index(t) for t in word_tags_of_tokens(tokens, tags)]
        if len(tag_ids) != len(span.words):
            raise DataFormatError(f"word split mismatch in sentence starting {' '.join(tokens[:5])!r}")
        for window in span.windows:
            rows["input_ids"].append(list(window.input_ids))
            rows["labels"].append(window_tag_ids(window, tag_ids))
    return datasets.Dataset.from_dict(rows)


def score(
    model: Any, tokenizer: Any, sentences: Sequence[Sentence], spans: Sequence[Any], batch_size: int
) -> dict[str, Any]:
    """Predict and score one split: seqeval micro-F1 (default and strict) and per type."""
    from training.metrics import ner_scores
    from training.predict import predict_encoded

    predictions = predict_encoded(model, spans, tokenizer.pad_token_id, ANERCORP_TAGS, batch_size)
    pred = [token_tags_of_words(tokens, p.tags) for (tokens, _), p in zip(sentences, predictions)]
    gold = [tags for _, tags in sentences]
    lenient, strict = ner_scores(gold, pred, mode="conlleval"), ner_scores(gold, pred, mode="strict")
    return {"f1": lenient["micro"]["f1"], "f1_strict": strict["micro"]["f1"], "micro": lenient["micro"],
            "per_type": lenient["per_type"], "sentences": len(sentences)}  # fmt: skip


def parse_args(argv: list[str]) -> argparse.Namespace:
    """Parse ``anercorp`` arguments (``argv[0]`` is the command name).

    Example:
        >>> parse_args(["anercorp", "--base", "enc"]).epochs
        3.0
    """
    parser = argparse.ArgumentParser(prog="python -m training anercorp", description=__doc__.split("\n")[0])
    parser.add_argument("--base", required=True, help="encoder directory or hub id")
    parser.add_argument("--data-dir", type=Path, default=None, help=f"default: {default_data_dir()}")
    parser.add_argument("--out", type=Path, default=Path("runs/anercorp"), help="results JSON and log")
    parser.add_argument("--epochs", type=float, default=3.0)
    parser.add_argument("--batch-size", type=positive_int, default=16)
    parser.add_argument("--learning-rate", "--lr", type=float, default=5e-5)
    parser.add_argument("--warmup-ratio", type=float, default=0.1)
    parser.add_argument("--max-length", type=positive_int, default=128)
    parser.add_argument("--stride", type=int, default=32)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--normalization", choices=("library", "none"), default="library",
                        help="'library': the runtime's word normalisation; 'none': raw tokens")  # fmt: skip
    parser.add_argument("--limit", type=positive_int, default=None, help="first N sentences per file (smoke tests)")
    parser.add_argument("--save-model", action="store_true", help="save the selected model in OUT/model")
    parser.add_argument("--bf16", action=argparse.BooleanOptionalAction, default=False,
                        help="bf16 mixed precision (Ampere or newer GPUs)")  # fmt: skip
    parser.add_argument("--fp16", action=argparse.BooleanOptionalAction, default=False,
                        help="fp16 mixed precision (older GPUs)")  # fmt: skip
    return parser.parse_args(argv[1:])


class SelectEpoch(TrainerCallback):
    """Score dev after each epoch and keep the weights of the best one (main process only).

    Example:
        >>> SelectEpoch(None, [], [], Path("log.jsonl")).best
        {'f1': -1.0}
    """

    def __init__(self, tokenizer: Any, sentences: Sequence[Sentence], spans: Sequence[Any], log_path: Path) -> None:
        self.tokenizer, self.sentences, self.spans, self.log_path = tokenizer, sentences, spans, log_path
        self.best: dict[str, Any] = {"f1": -1.0}
        self.history: list[dict[str, Any]] = []

    def on_epoch_end(self, args: Any, state: Any, control: Any, model: Any = None, **kwargs: Any) -> None:
        from training.train_log import append_jsonl

        if not state.is_world_process_zero:
            return
        model.eval()
        dev = score(model, self.tokenizer, self.sentences, self.spans, 64)
        model.train()
        self.history.append({"epoch": state.epoch, "dev_f1": dev["f1"], "dev_f1_strict": dev["f1_strict"]})
        append_jsonl(self.log_path, self.history[-1])
        logger.info("epoch %.1f dev micro-F1 %.4f", state.epoch, dev["f1"])
        if dev["f1"] > self.best["f1"]:
            self.best = {"f1": dev["f1"], "epoch": state.epoch, "dev": dev, "state": copy.deepcopy(model.state_dict())}


def _settings(args: argparse.Namespace) -> Any:
    from arabnews_nlp.settings import AnalyzerSettings
    from arabnews_nlp.text.normalize import NormalizationConfig

    rules = {} if args.normalization == "library" else dict.fromkeys(NormalizationConfig.__dataclass_fields__, False)
    return AnalyzerSettings(normalization=NormalizationConfig(**rules), max_length=args.max_length, stride=args.stride)


def _trainer(args: argparse.Namespace, model: Any, tokenizer: Any, dataset: Any, callbacks: list[Any]) -> Any:
    from transformers import Trainer

    from training.config import FinetuneConfig
    from training.features import PaddingCollator
    from training.train_log import JsonlLogCallback
    from training.trainer import training_arguments

    config = FinetuneConfig(
        base=args.base,
        name="anercorp",
        run_dir=str(args.out / "run"),
        output_dir=str(args.out),
        epochs=args.epochs,
        batch_size=args.batch_size,
        learning_rate=args.learning_rate,
        warmup_ratio=args.warmup_ratio,
        seed=args.seed,
        max_length=args.max_length,
        stride=args.stride,
        bf16=args.bf16,
        fp16=args.fp16,
        logging_steps=50,
    )
    return Trainer(
        model=model,
        args=training_arguments(config, save_strategy="no", label_names=["labels"]),
        train_dataset=dataset,
        data_collator=PaddingCollator(tokenizer.pad_token_id),
        callbacks=[JsonlLogCallback(args.out / "log.jsonl"), *callbacks],
    )


def load_tagger(base: str) -> Any:
    """A token classifier for :data:`ANERCORP_TAGS` on ``base``, in float32 whatever dtype it was saved in.

    transformers loads a checkpoint saved in bf16 or fp16 in that dtype, and the Trainer would then
    keep half-precision master weights (updates lost in bf16, an error with ``--fp16``).
    """
    import torch
    from transformers import AutoModelForTokenClassification

    return AutoModelForTokenClassification.from_pretrained(
        base, num_labels=len(ANERCORP_TAGS), id2label=dict(enumerate(ANERCORP_TAGS)),
        label2id={t: i for i, t in enumerate(ANERCORP_TAGS)}, dtype=torch.float32, trust_remote_code=False,
    )  # fmt: skip


def run(args: argparse.Namespace, command: str) -> dict[str, Any] | None:
    """Train with epoch selection on dev, score both test files, write ``OUT/anercorp.json``.

    Returns:
        The results on the main process, ``None`` on the others.
    """
    from transformers import AutoTokenizer, set_seed

    from arabnews_nlp.model_dir import library_versions
    from training.evaluation.report import write_json

    check_base(args.base, analyzer_ok=False)  # before the data are read: fail fast
    data_dir = args.data_dir or default_data_dir()
    train_sents, dev_sents = split_dev(read_split(data_dir / TRAIN_FILE))
    train_sents, dev_sents = train_sents[: args.limit], dev_sents[: args.limit]
    tests = {name: read_split(data_dir / file, args.limit) for name, file in TEST_FILES.items()}
    settings = _settings(args)
    set_seed(args.seed)
    with base_load_errors(args.base):
        tokenizer = AutoTokenizer.from_pretrained(args.base, trust_remote_code=False)
        model = load_tagger(args.base)
    positions = getattr(model.config, "max_position_embeddings", args.max_length)
    if args.max_length > positions:
        raise ConfigError(f"--max-length {args.max_length} exceeds the encoder's max_position_embeddings "
                          f"{positions}; pass --max-length {positions} or less")  # fmt: skip
    select = SelectEpoch(tokenizer, dev_sents, encode_sentences(dev_sents, tokenizer, settings), args.out / "log.jsonl")
    dataset = build_examples(train_sents, encode_sentences(train_sents, tokenizer, settings))
    trainer = _trainer(args, model, tokenizer, dataset, [select])
    trainer.train()
    if not trainer.is_world_process_zero():
        return None
    model.load_state_dict(select.best["state"])
    model.eval()
    results: dict[str, Any] = {"base": args.base, "protocol": __doc__.split("\n\n")[1].replace("\n", " "),
                               "selected_epoch": select.best["epoch"], "dev": select.best["dev"],
                               "history": select.history}  # fmt: skip
    for name, sentences in tests.items():
        results[name] = score(model, tokenizer, sentences, encode_sentences(sentences, tokenizer, settings), 64)
    results.update(settings={"max_length": args.max_length, "stride": args.stride, "normalization": args.normalization},
                   hyperparameters={k: str(v) for k, v in vars(args).items()}, command=command,
                   versions=library_versions())  # fmt: skip
    write_json(args.out / "anercorp.json", results)
    if args.save_model:
        model.save_pretrained(args.out / "model")
        save_tokenizer(tokenizer, args.out / "model")
    return results


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``python -m training anercorp`` (``argv[0]`` is the command name)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    args = parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    results = run(args, "python -m training " + shlex.join(argv))
    if results is None:
        return 0
    print(f"ANERcorp (CAMeL split), base {args.base}, selected epoch {results['selected_epoch']}")
    print(f"  {'split':<24} {'micro-F1':>9} {'strict':>9}")
    for name in ("dev", *TEST_FILES):
        print(f"  {name:<24} {results[name]['f1']:>9.4f} {results[name]['f1_strict']:>9.4f}")
    print(f"results: {args.out / 'anercorp.json'}")
    return 0
