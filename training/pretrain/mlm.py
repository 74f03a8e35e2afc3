"""``python -m training pretrain``: masked-language-model pre-training of a compact encoder.

Recipe (FACTS.md): BERT-style encoder, our WordPiece vocabulary, 128-token sequences, whole-word
masking (each word masked with probability 15 %; 80/10/10), and logits computed **only at masked
positions** (several times faster than the stock MLM head on CPU). AdamW with warm-up and linear
decay. Sequences come either from the de-duplicated news stream, packed in order (CPU), or, with
``--tokens`` (``python -m training pretokenize``), as random 126-token windows of the pre-tokenised
corpus, which keeps a GPU busy; ``--device cuda --bf16`` trains in bf16 autocast there, and
``--time-budget-min`` fits ``total_steps`` (and so the learning-rate decay) to a wall-clock budget
at the speed of 50 steps timed after 10 warm-up steps. Every ``--save-every`` steps the run
directory gets a checkpoint (model, optimiser, scheduler, RNG, stream position) and an exported encoder
(``encoder/``: a plain ``BertModel`` + tokenizer, loadable with ``AutoModel``); ``--resume``
continues exactly where the last checkpoint stopped. On SIGTERM (a scheduler's stop) the run saves
a checkpoint at the step it is in and stops. Losses go to ``log.jsonl``.
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import json
import logging
import math
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import torch
from torch import nn

from arabnews_nlp.signals import SigtermFlag, Terminated
from training.pretrain.corpus import DEFAULT_CORPORA, default_news_dir, iter_documents
from training.pretrain.run_checks import check_resumed_settings, check_run_dir, check_settings

logger = logging.getLogger(__name__)

BUDGET_WARMUP_STEPS = 10  # not timed for --time-budget-min: CUDA start-up, kernel selection, allocator growth
BUDGET_TIMED_STEPS = 50  # the steps whose speed fits the run to the budget


@dataclass
class PretrainConfig:
    """Settings of a pre-training run (all fillable from the CLI)."""

    tokenizer: str
    run_dir: str
    corpus: list[str] = field(default_factory=list)
    hidden_size: int = 256
    num_layers: int = 4
    num_heads: int = 4
    intermediate_size: int = 1024
    seq_len: int = 128
    batch_size: int = 32
    lr: float = 1e-3
    warmup_steps: int = 300
    total_steps: int = 8000
    weight_decay: float = 0.01
    mask_prob: float = 0.15
    save_every: int = 100
    seed: int = 13
    threads: int = 2
    tokens: str = ""
    device: str = "auto"
    bf16: bool = False
    time_budget_min: float = 0.0

    def __post_init__(self) -> None:
        check_settings(asdict(self))


class MaskedOnlyMLM(nn.Module):
    """BERT encoder with an MLM head that scores only the masked positions (tied embeddings)."""

    def __init__(self, config: Any) -> None:
        super().__init__()
        from transformers import BertModel

        self.bert = BertModel(config, add_pooling_layer=False)
        self.transform = nn.Sequential(
            nn.Linear(config.hidden_size, config.hidden_size), nn.GELU(), nn.LayerNorm(config.hidden_size, eps=1e-12)
        )
        self.bias = nn.Parameter(torch.zeros(config.vocab_size))

    def forward(self, input_ids: torch.Tensor, positions: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
        hidden = self.bert(input_ids=input_ids).last_hidden_state
        picked = self.transform(hidden.flatten(0, 1)[positions])
        logits = picked @ self.bert.embeddings.word_embeddings.weight.T + self.bias
        return nn.functional.cross_entropy(logits, targets)


def _sequences(cfg: PretrainConfig, tokenizer: Any, skip_docs: int) -> Iterator[tuple[list[int], int]]:
    """Yield packed token sequences (without [CLS]/[SEP]) and the number of documents consumed."""
    body = cfg.seq_len - 2
    buffer: list[int] = []
    docs = skip_docs
    batch: list[str] = []
    documents: Iterator[str | None] = itertools.chain(iter_documents([Path(p) for p in cfg.corpus], skip=skip_docs), [None])
    for text in documents:  # None: the corpus ended, tokenise its last (partial) batch of documents
        if text is not None:
            batch.append(text)
        if (text is not None and len(batch) < 64) or not batch:
            continue
        for ids in tokenizer(batch, add_special_tokens=False)["input_ids"]:
            buffer.extend(ids + [tokenizer.sep_token_id])
        docs += len(batch)
        batch = []
        while len(buffer) >= body:
            yield buffer[:body], docs
            buffer = buffer[body:]


def mask_batch(
    rows: torch.Tensor, is_continuation: torch.Tensor, special_ids: torch.Tensor, mask_id: int,
    mask_prob: float, generator: torch.Generator,
) -> dict[str, torch.Tensor]:
    """Whole-word masking of a batch of token-id rows, vectorised.

    A word is a token that does not start with ``##`` plus the continuation tokens after it; each
    word is chosen with probability ``mask_prob`` and all its tokens become targets: 80 % are
    replaced by ``[MASK]``, 10 % by a random non-special token, 10 % stay. Special tokens are never
    chosen.

    Args:
        rows: ``(batch, seq)`` token ids.
        is_continuation: ``(vocab,)`` bool, True for ``##`` pieces.
        special_ids: Ids that are never masked ([CLS], [SEP], [PAD], ...).
        mask_id: Id of ``[MASK]``.
        mask_prob: Probability of masking a word.
        generator: CPU generator (its state is checkpointed, so a resumed run masks identically).

    Returns:
        ``input_ids`` (masked rows), ``positions`` (flat indices of the targets in the batch) and
        ``targets`` (their original ids).
    """
    batch, seq = rows.shape
    maskable = ~torch.isin(rows, special_ids)
    starts = ~is_continuation[rows] | ~maskable
    index = torch.arange(seq).expand(batch, seq)
    word_start = torch.where(starts, index, torch.zeros_like(index)).cummax(dim=1).values
    draw = torch.rand(batch, seq, generator=generator)
    chosen = (draw.gather(1, word_start) < mask_prob) & maskable
    positions = chosen.flatten().nonzero().squeeze(1)
    targets = rows.flatten()[positions]
    roll = torch.rand(positions.numel(), generator=generator)
    replacement = targets.clone()
    replacement[roll < 0.8] = mask_id
    random_ids = torch.randint(int(special_ids.max()) + 1, len(is_continuation), (positions.numel(),), generator=generator)
    replacement = torch.where((roll >= 0.8) & (roll < 0.9), random_ids, replacement)
    input_ids = rows.flatten().clone()
    input_ids[positions] = replacement
    return {"input_ids": input_ids.view(batch, seq), "positions": positions, "targets": targets}


def _stream_rows(cfg: PretrainConfig, tokenizer: Any, skip_docs: int) -> Iterator[tuple[torch.Tensor, int]]:
    """Rows of ``batch_size`` packed sequences from the news stream, with documents consumed."""
    rows: list[list[int]] = []
    for seq, docs in _sequences(cfg, tokenizer, skip_docs):
        rows.append([tokenizer.cls_token_id, *seq, tokenizer.sep_token_id])
        if len(rows) == cfg.batch_size:
            yield torch.tensor(rows), docs
            rows = []


def array_rows(tokens: torch.Tensor, batch_size: int, seq_len: int, cls_id: int, sep_id: int,
               generator: torch.Generator) -> torch.Tensor:
    """A batch of random windows of a pre-tokenised corpus, framed by ``[CLS]`` … ``[SEP]``.

    Args:
        tokens: 1-D tensor of token ids (documents separated by ``[SEP]``).
        batch_size: Rows per batch.
        seq_len: Row length, special tokens included.
        cls_id: Id of ``[CLS]``.
        sep_id: Id of ``[SEP]``.
        generator: CPU generator choosing the window starts.

    Returns:
        ``(batch_size, seq_len)`` int64 ids.
    """
    body = seq_len - 2
    if tokens.numel() <= body:
        raise ValueError(f"the token array has {tokens.numel()} tokens, fewer than one {seq_len}-token row")
    starts = torch.randint(0, tokens.numel() - body, (batch_size,), generator=generator)
    windows = tokens[starts[:, None] + torch.arange(body)].long()
    frame = torch.full((batch_size, 1), cls_id), torch.full((batch_size, 1), sep_id)
    return torch.cat([frame[0], windows, frame[1]], dim=1)


def _load_tokens(path: str, vocab_size: int, tokenizer: str) -> torch.Tensor:
    """The pre-tokenised corpus at ``path``, refused when it was made with another vocabulary.

    Raises:
        ConfigError: If its ``tokens.json`` records another vocabulary size, or an id is outside
            the tokenizer's vocabulary (ids of another tokenizer would train on the wrong words).
    """
    import numpy as np

    from arabnews_nlp.errors import ConfigError

    meta_path = Path(path).with_suffix(".json")
    meta = json.loads(meta_path.read_text(encoding="utf-8")) if meta_path.is_file() else {}
    array = np.load(path, mmap_mode="r")
    top = int(array.max()) if array.size else -1
    fix = "give the tokenizer it was made with, or rerun python -m training pretokenize with this one"
    if meta.get("vocab_size", vocab_size) != vocab_size:
        raise ConfigError(f"--tokens {path} was made with tokenizer {meta.get('tokenizer')!r} ({meta['vocab_size']} "
                          f"tokens), not --tokenizer {tokenizer!r} ({vocab_size} tokens); {fix}")  # fmt: skip
    if top >= vocab_size:
        raise ConfigError(f"--tokens {path} holds token id {top}, outside the {vocab_size}-token vocabulary of "
                          f"--tokenizer {tokenizer!r}; {fix}")  # fmt: skip
    return torch.from_numpy(np.ascontiguousarray(array).astype(np.int32))


def _lr_lambda(cfg: PretrainConfig):  # type: ignore[no-untyped-def]
    def schedule(step: int) -> float:
        if step < cfg.warmup_steps:
            return (step + 1) / cfg.warmup_steps
        return max(0.02, 1 - (step - cfg.warmup_steps) / max(1, cfg.total_steps - cfg.warmup_steps))

    return schedule


def _export_encoder(model: MaskedOnlyMLM, tokenizer: Any, run_dir: Path) -> None:
    out = run_dir / "encoder"
    model.bert.save_pretrained(out)
    tokenizer.save_pretrained(out)


def _device(name: str) -> torch.device:
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    return torch.device(name)


def pretrain(cfg: PretrainConfig, resume: bool) -> None:
    """Run (or resume) pre-training until ``cfg.total_steps``."""
    from tqdm.auto import tqdm
    from transformers import BertConfig

    from training.pretrain.tokenizer import load_tokenizer

    torch.set_num_threads(cfg.threads)
    torch.manual_seed(cfg.seed)
    device = _device(cfg.device)
    run_dir = Path(cfg.run_dir)
    ckpt_path = run_dir / "checkpoint.pt"
    check_run_dir(ckpt_path, resume)
    tokenizer = load_tokenizer(cfg.tokenizer)
    run_dir.mkdir(parents=True, exist_ok=True)
    bert_config = BertConfig(
        vocab_size=len(tokenizer), hidden_size=cfg.hidden_size, num_hidden_layers=cfg.num_layers,
        num_attention_heads=cfg.num_heads, intermediate_size=cfg.intermediate_size,
        max_position_embeddings=cfg.seq_len, pad_token_id=tokenizer.pad_token_id,
    )
    model = MaskedOnlyMLM(bert_config).to(device)
    decay = [p for n, p in model.named_parameters() if p.ndim > 1]
    no_decay = [p for n, p in model.named_parameters() if p.ndim <= 1]
    optimizer = torch.optim.AdamW(
        [{"params": decay, "weight_decay": cfg.weight_decay}, {"params": no_decay, "weight_decay": 0.0}],
        lr=cfg.lr, betas=(0.9, 0.98), eps=1e-6,
    )
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, _lr_lambda(cfg))
    step, docs, tokens = 0, 0, 0
    generator = torch.Generator().manual_seed(cfg.seed)
    if resume and ckpt_path.exists():
        state = torch.load(ckpt_path, weights_only=False, map_location=device)
        if cfg.time_budget_min:  # keep the length fitted when the run started
            cfg.total_steps = state["total_steps"]
        check_resumed_settings(state.get("config"), asdict(cfg), len(tokenizer),
                               state["model"]["bert.embeddings.word_embeddings.weight"].shape[0])
        model.load_state_dict(state["model"])
        optimizer.load_state_dict(state["optimizer"])
        scheduler.load_state_dict(state["scheduler"])
        step, docs, tokens = state["step"], state["docs"], state["tokens"]
        if "generator" in state:
            generator.set_state(state["generator"].cpu())
        else:  # a checkpoint of the streaming-only version: masking restarts from the seed
            logger.info("checkpoint has no generator state; window sampling and masking restart from seed %d", cfg.seed)
        torch.set_rng_state(state["torch_rng"].cpu())  # dropout
        _restore_cuda_rng(state.get("cuda_rng"), device)
        logger.info("resumed at step %d (%d documents, %d tokens)", step, docs, tokens)
    vocab = tokenizer.convert_ids_to_tokens(list(range(len(tokenizer))))
    is_continuation = torch.tensor([token.startswith("##") for token in vocab])
    special_ids = torch.tensor(sorted(set(tokenizer.all_special_ids)))
    if cfg.tokens:
        corpus = _load_tokens(cfg.tokens, len(tokenizer), cfg.tokenizer)
        rows: Iterator[tuple[torch.Tensor, int]] = (
            (array_rows(corpus, cfg.batch_size, cfg.seq_len, tokenizer.cls_token_id, tokenizer.sep_token_id, generator), 0)
            for _ in iter(int, 1)
        )
    else:
        rows = _stream_rows(cfg, tokenizer, docs)
    model.train()
    progress = tqdm(total=cfg.total_steps, initial=step, desc="pretrain", unit="step")
    run_started = started = timed_from = time.time()
    window_tokens, running, first_step = 0, None, step
    saved_step = step
    with (run_dir / "log.jsonl").open("a", encoding="utf-8") as log, SigtermFlag() as sigterm, \
            _ctrl_c_names_checkpoint(lambda: step, lambda: saved_step, ckpt_path):
        for batch_rows, docs_now in rows:
            if step >= cfg.total_steps:
                break
            batch = {k: v.to(device, non_blocking=True) for k, v in mask_batch(
                batch_rows, is_continuation, special_ids, tokenizer.mask_token_id, cfg.mask_prob, generator).items()}
            with torch.autocast(device.type, dtype=torch.bfloat16, enabled=cfg.bf16):
                loss = model(**batch)
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            scheduler.step()
            optimizer.zero_grad(set_to_none=True)
            step += 1
            docs = docs_now
            n_tokens = batch["input_ids"].numel()
            tokens += n_tokens
            window_tokens += n_tokens
            if step % 10 == 0 or step == cfg.total_steps:
                value = loss.item()
                running = value if running is None else 0.9 * running + 0.1 * value
                rate = window_tokens / (time.time() - started)
                log.write(json.dumps({"step": step, "loss": round(value, 4), "smoothed": round(running, 4),
                                      "tokens": tokens, "docs": docs, "tokens_per_s": round(rate, 1),
                                      "lr": scheduler.get_last_lr()[0], "time": time.time()}) + "\n")
                log.flush()
                progress.set_postfix(loss=f"{running:.3f}")
                started, window_tokens = time.time(), 0
            progress.update(1)
            if cfg.time_budget_min and first_step == 0 and step == BUDGET_WARMUP_STEPS:
                timed_from = _synced_time(device)
            elif cfg.time_budget_min and first_step == 0 and step == BUDGET_WARMUP_STEPS + BUDGET_TIMED_STEPS:
                now = _synced_time(device)  # the warm-up steps' time counts as spent, not as step time
                fitted = _fit_steps(cfg, step, (now - timed_from) / BUDGET_TIMED_STEPS, now - run_started)
                logger.info("time budget %.1f min: total_steps %d -> %d", cfg.time_budget_min, cfg.total_steps, fitted)
                cfg.total_steps = fitted
                progress.total = fitted
                (run_dir / "config.json").write_text(json.dumps(asdict(cfg), indent=2), encoding="utf-8")
            if step % cfg.save_every == 0 or step == cfg.total_steps or sigterm.received:
                _save(model, optimizer, scheduler, step, docs, tokens, generator, cfg.total_steps, ckpt_path, device,
                      asdict(cfg))
                _export_encoder(model, tokenizer, run_dir)
                saved_step = step
            if sigterm.received:  # a scheduler's stop: saved above at this step, nothing lost
                progress.close()
                raise Terminated(f"stopped by SIGTERM at step {step}; its checkpoint is {ckpt_path}: rerun the same "
                                 "command with --resume to continue from it")  # fmt: skip
    if step < cfg.total_steps:  # the corpus ran out: keep what was trained, and say so
        _corpus_ended(cfg, step, first_step)
        if step > saved_step:
            _save(model, optimizer, scheduler, step, docs, tokens, generator, cfg.total_steps, ckpt_path, device,
                  asdict(cfg))
            _export_encoder(model, tokenizer, run_dir)
    (run_dir / "config.json").write_text(json.dumps(asdict(cfg), indent=2), encoding="utf-8")
    progress.close()


def _corpus_ended(cfg: PretrainConfig, step: int, first_step: int) -> None:
    """Warn that the corpus stream ended at ``step`` before ``total_steps``; refuse a run that trained nothing.

    Raises:
        ConfigError: If not one batch came out of the corpus in this launch.
    """
    from arabnews_nlp.errors import ConfigError

    if step == first_step:
        raise ConfigError(f"the corpus ({', '.join(cfg.corpus)}) ended before one more batch of {cfg.batch_size} "
                          f"{cfg.seq_len}-token sequences at step {step}; give more text with --corpus, or "
                          "lower --batch-size / --seq-len")  # fmt: skip
    logger.warning("the corpus ended at step %d of --total-steps %d: the run stops there (its checkpoint and encoder "
                   "are saved); give more text with --corpus to train longer", step, cfg.total_steps)


@contextlib.contextmanager
def _ctrl_c_names_checkpoint(step: Callable[[], int], saved_step: Callable[[], int], ckpt: Path) -> Iterator[None]:
    """Turn Ctrl-C into one line naming the step, the last checkpoint and ``--resume`` (SIGTERM's stays)."""
    try:
        yield
    except KeyboardInterrupt as error:
        if isinstance(error, Terminated) or not ckpt.exists():
            raise
        raise KeyboardInterrupt(f"interrupted at step {step()}; the last checkpoint is {ckpt} (step {saved_step()}): "
                                "rerun the same command with --resume to continue from it") from error


def _synced_time(device: torch.device) -> float:
    """Wall-clock time once the work queued on ``device`` has run (CUDA kernels run asynchronously)."""
    if device.type == "cuda":
        torch.cuda.synchronize(device)
    return time.time()


def _fit_steps(cfg: PretrainConfig, step: int, per_step_s: float, elapsed_s: float) -> int:
    """Steps that fit in the time budget at the measured speed (never more than asked).

    Args:
        cfg: The run's settings (``time_budget_min``, ``total_steps``).
        step: Steps done so far.
        per_step_s: Seconds per step, timed after the warm-up steps.
        elapsed_s: Seconds since the run started, warm-up included: they are spent from the budget.

    Returns:
        The new ``total_steps``: at least ``step``, at most ``cfg.total_steps``.

    Example:
        >>> _fit_steps(PretrainConfig("tok", "run", total_steps=1000, time_budget_min=1.0), 60, 0.125, 10.0)
        460
    """
    remaining = cfg.time_budget_min * 60 - elapsed_s
    return max(step, min(cfg.total_steps, step + int(remaining / max(per_step_s, 1e-9))))


def _cuda_rng_state(device: torch.device) -> torch.Tensor | None:
    """The CUDA generator state (GPU dropout) of the training device only; None off CUDA.

    Not every visible GPU's: that initialised a CUDA context on each of them, and a checkpoint
    could not be restored where fewer GPUs are visible.
    """
    return torch.cuda.get_rng_state(device) if device.type == "cuda" else None


def _restore_cuda_rng(saved: torch.Tensor | list[torch.Tensor] | None, device: torch.device) -> None:
    """Restore the training device's CUDA generator from a checkpoint's ``cuda_rng``.

    Args:
        saved: The training device's state; in older checkpoints, a list with one state per GPU
            visible then (the one at ``device.index``, 0 for a bare ``cuda``, is taken); None or
            ``[]`` when the checkpoint was written off CUDA.
        device: The training device; off CUDA nothing is done (and ``torch.cuda`` is not touched).
    """
    if device.type != "cuda":
        return
    if isinstance(saved, (list, tuple)):
        index = device.index or 0
        saved = saved[index] if index < len(saved) else None
    if saved is None:
        logger.warning("the checkpoint has no CUDA RNG state for %s: GPU dropout does not continue where it stopped",
                       device)
        return
    torch.cuda.set_rng_state(saved.cpu(), device)


def _save(model: nn.Module, optimizer: Any, scheduler: Any, step: int, docs: int, tokens: int,
          generator: torch.Generator, total_steps: int, path: Path, device: torch.device,
          config: dict[str, Any] | None = None) -> None:
    """Write ``checkpoint.pt`` atomically: weights, optimiser, scheduler, RNGs and stream position."""
    tmp = path.with_suffix(".tmp")
    torch.save({"model": model.state_dict(), "optimizer": optimizer.state_dict(), "scheduler": scheduler.state_dict(),
                "step": step, "docs": docs, "tokens": tokens, "generator": generator.get_state(),
                "total_steps": total_steps, "torch_rng": torch.get_rng_state(),
                "cuda_rng": _cuda_rng_state(device), "config": config}, tmp)
    tmp.replace(path)  # atomic: a run killed mid-save keeps the previous checkpoint


def main(argv: list[str] | None = None) -> int:
    """CLI entry point: ``python -m training pretrain --tokenizer DIR --run-dir DIR [--resume]``."""
    parser = argparse.ArgumentParser(prog="python -m training pretrain", description=__doc__)
    parser.add_argument("command", nargs="?", help=argparse.SUPPRESS)
    parser.add_argument("--resume", action="store_true", help="continue from RUN_DIR/checkpoint.pt")
    parser.add_argument("--bf16", action="store_true", help="bf16 autocast (GPUs)")
    defaults = PretrainConfig(tokenizer="", run_dir="")
    for name, value in asdict(defaults).items():
        flag = "--" + name.replace("_", "-")
        if name == "corpus":
            parser.add_argument(flag, nargs="+", default=None)
        elif name == "bf16":
            continue
        else:
            required = name in ("tokenizer", "run_dir")  # the others have defaults (tokens "": read the corpus)
            parser.add_argument(flag, type=type(value) if value != "" else str, default=value, required=required)
    args = vars(parser.parse_args(argv))
    resume = args.pop("resume")
    args.pop("command")
    if not args["tokens"]:
        args["corpus"] = args["corpus"] or [str(default_news_dir() / name) for name in DEFAULT_CORPORA]
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    pretrain(PretrainConfig(**args), resume)
    return 0
