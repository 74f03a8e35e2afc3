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
import json
import logging
import math
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

import torch
from torch import nn

from arabnews_nlp.device import resolve_device
from arabnews_nlp.model_dir import save_tokenizer
from arabnews_nlp.signals import SigtermFlag, Terminated
from training.pretrain.batches import array_rows, load_tokens, mask_batch, stream_rows
from training.pretrain.checkpoint import ctrl_c_names_checkpoint, restore_cuda_rng, save_checkpoint
from training.pretrain.corpus import DEFAULT_CORPORA, default_news_dir, iter_documents
from training.pretrain.run_checks import check_resumed_settings, check_run_dir, check_settings
from training.pretrain.tokenizer import load_tokenizer, vocabulary_fingerprint

logger = logging.getLogger(__name__)

BUDGET_WARMUP_STEPS = 10  # not timed for --time-budget-min: CUDA start-up, kernel selection, allocator growth
BUDGET_TIMED_STEPS = 50  # the steps whose speed fits the run to the budget


@dataclass
class PretrainConfig:
    """Settings of a pre-training run (all fillable from the CLI)."""

    tokenizer: str = field(metadata={"help": "tokenizer directory (python -m training tokenizer)"})
    run_dir: str = field(metadata={"help": "run folder: checkpoint.pt, log.jsonl, config.json and encoder/"})
    corpus: list[str] = field(default_factory=list, metadata={"help": "JSONL(.gz) files read in order (default: ../shared/data/news)"})
    hidden_size: int = field(default=256, metadata={"help": "encoder width"})
    num_layers: int = field(default=4, metadata={"help": "transformer layers"})
    num_heads: int = field(default=4, metadata={"help": "attention heads (they must divide --hidden-size)"})
    intermediate_size: int = field(default=1024, metadata={"help": "feed-forward width"})
    seq_len: int = field(default=128, metadata={"help": "tokens per sequence (the encoder's max_position_embeddings)"})
    batch_size: int = field(default=32, metadata={"help": "sequences per step"})
    lr: float = field(default=1e-3, metadata={"help": "peak AdamW learning rate"})
    warmup_steps: int = field(default=300, metadata={"help": "linear warm-up steps, then linear decay"})
    total_steps: int = field(default=8000, metadata={"help": "optimizer steps of the whole run (a resumed run may raise it)"})
    weight_decay: float = field(default=0.01, metadata={"help": "AdamW weight decay"})
    mask_prob: float = field(default=0.15, metadata={"help": "share of whole words masked, in (0, 1)"})
    save_every: int = field(default=100, metadata={"help": "steps between checkpoints (checkpoint.pt and encoder/)"})
    seed: int = field(default=13, metadata={"help": "random seed"})
    threads: int = field(default=2, metadata={"help": "CPU threads of torch"})
    tokens: str = field(default="", metadata={"help": "a pretokenize array (tokens.npy): random windows instead of --corpus"})
    device: str = field(default="auto", metadata={"help": "auto, cpu, cuda or cuda:N"})
    bf16: bool = field(default=False, metadata={"help": "bf16 autocast (GPUs)"})
    time_budget_min: float = field(default=0.0, metadata={"help": "fit --total-steps and the lr decay to this many minutes (0: off)"})

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


def _lr_lambda(cfg: PretrainConfig):  # type: ignore[no-untyped-def]
    def schedule(step: int) -> float:
        if step < cfg.warmup_steps:
            return (step + 1) / cfg.warmup_steps
        return max(0.02, 1 - (step - cfg.warmup_steps) / max(1, cfg.total_steps - cfg.warmup_steps))

    return schedule


def _export_encoder(model: MaskedOnlyMLM, tokenizer: Any, run_dir: Path) -> None:
    out = run_dir / "encoder"
    model.bert.save_pretrained(out)
    save_tokenizer(tokenizer, out)


@dataclass
class _Run:
    """A run under way: its settings, model, optimiser, RNG and position (what a checkpoint holds)."""

    cfg: PretrainConfig
    tokenizer: Any
    device: torch.device
    model: MaskedOnlyMLM
    optimizer: Any
    scheduler: Any
    generator: torch.Generator
    run_dir: Path
    step: int = 0
    docs: int = 0
    tokens: int = 0
    saved_step: int = 0

    @property
    def ckpt_path(self) -> Path:
        return self.run_dir / "checkpoint.pt"

    def save(self) -> None:
        """Write the checkpoint and export the encoder at the current step."""
        save_checkpoint(self.model, self.optimizer, self.scheduler, self.step, self.docs, self.tokens, self.generator,
                        self.cfg.total_steps, self.ckpt_path, self.device, asdict(self.cfg))  # fmt: skip
        _export_encoder(self.model, self.tokenizer, self.run_dir)
        self.saved_step = self.step

    def write_config(self) -> None:
        (self.run_dir / "config.json").write_text(json.dumps(asdict(self.cfg), indent=2), encoding="utf-8")


def pretrain(cfg: PretrainConfig, resume: bool) -> None:
    """Run (or resume) pre-training until ``cfg.total_steps``."""
    torch.set_num_threads(cfg.threads)
    torch.manual_seed(cfg.seed)
    run_dir = Path(cfg.run_dir)
    check_run_dir(run_dir / "checkpoint.pt", resume)
    tokenizer = load_tokenizer(cfg.tokenizer)
    run_dir.mkdir(parents=True, exist_ok=True)
    run = _build(cfg, tokenizer, resolve_device(cfg.device), run_dir)  # --device cuda without CUDA: one line
    if resume and run.ckpt_path.exists():
        _resume(run)
    _train(run, _rows(run))
    run.write_config()


def _build(cfg: PretrainConfig, tokenizer: Any, device: torch.device, run_dir: Path) -> _Run:
    """A fresh model, AdamW (no decay on biases and norms) and its warm-up/linear-decay schedule."""
    from transformers import BertConfig

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
    generator = torch.Generator().manual_seed(cfg.seed)
    return _Run(cfg, tokenizer, device, model, optimizer, scheduler, generator, run_dir)


def _resume(run: _Run) -> None:
    """Load ``checkpoint.pt`` into ``run`` after checking that its settings fit this run's."""
    cfg, device = run.cfg, run.device
    state = torch.load(run.ckpt_path, weights_only=False, map_location=device)
    if cfg.time_budget_min:  # keep the length fitted when the run started
        cfg.total_steps = state["total_steps"]
    check_resumed_settings(state.get("config"), asdict(cfg), len(run.tokenizer),
                           state["model"]["bert.embeddings.word_embeddings.weight"].shape[0])
    run.model.load_state_dict(state["model"])
    run.optimizer.load_state_dict(state["optimizer"])
    run.scheduler.load_state_dict(state["scheduler"])
    run.step, run.docs, run.tokens = state["step"], state["docs"], state["tokens"]
    run.saved_step = run.step
    if "generator" in state:
        run.generator.set_state(state["generator"].cpu())
    else:  # a checkpoint of the streaming-only version: masking restarts from the seed
        logger.info("checkpoint has no generator state; window sampling and masking restart from seed %d", cfg.seed)
    torch.set_rng_state(state["torch_rng"].cpu())  # dropout
    restore_cuda_rng(state.get("cuda_rng"), device)
    logger.info("resumed at step %d (%d documents, %d tokens)", run.step, run.docs, run.tokens)


def _rows(run: _Run) -> Iterator[tuple[torch.Tensor, int]]:
    """Batches of unmasked rows with the documents consumed: random windows of ``--tokens``, else the stream."""
    cfg, tokenizer = run.cfg, run.tokenizer
    if not cfg.tokens:
        return stream_rows(cfg.corpus, cfg.seq_len, cfg.batch_size, tokenizer, run.docs)
    corpus = load_tokens(cfg.tokens, len(tokenizer), cfg.tokenizer, vocabulary_fingerprint(tokenizer))
    return (
        (array_rows(corpus, cfg.batch_size, cfg.seq_len, tokenizer.cls_token_id, tokenizer.sep_token_id, run.generator), 0)
        for _ in iter(int, 1)
    )


def _train(run: _Run, rows: Iterator[tuple[torch.Tensor, int]]) -> None:
    """Train on ``rows`` until ``total_steps`` (or the corpus ends), logging, fitting the budget, saving."""
    from tqdm.auto import tqdm

    cfg, tokenizer = run.cfg, run.tokenizer
    vocab = tokenizer.convert_ids_to_tokens(list(range(len(tokenizer))))
    is_continuation = torch.tensor([token.startswith("##") for token in vocab])
    special_ids = torch.tensor(sorted(set(tokenizer.all_special_ids)))
    run.model.train()
    progress = tqdm(total=cfg.total_steps, initial=run.step, desc="pretrain", unit="step")
    meter = _Meter(first_step=run.step)
    with (run.run_dir / "log.jsonl").open("a", encoding="utf-8") as log, SigtermFlag() as sigterm, \
            ctrl_c_names_checkpoint(lambda: run.step, lambda: run.saved_step, run.ckpt_path):
        for batch_rows, docs_now in rows:
            if run.step >= cfg.total_steps:
                break
            batch = {k: v.to(run.device, non_blocking=True) for k, v in mask_batch(
                batch_rows, is_continuation, special_ids, tokenizer.mask_token_id, cfg.mask_prob, run.generator).items()}
            loss = _step(run, batch)
            run.docs = docs_now
            meter.count(run, batch["input_ids"].numel())
            if run.step % 10 == 0 or run.step == cfg.total_steps:
                meter.log(run, loss.item(), log, progress)
            progress.update(1)
            meter.fit_budget(run, progress)
            if run.step % cfg.save_every == 0 or run.step == cfg.total_steps or sigterm.received:
                run.save()
            if sigterm.received:  # a scheduler's stop: saved above at this step, nothing lost
                progress.close()
                raise Terminated(f"stopped by SIGTERM at step {run.step}; its checkpoint is {run.ckpt_path}: rerun "
                                 "the same command with --resume to continue from it")  # fmt: skip
    if run.step < cfg.total_steps:  # the corpus ran out: keep what was trained, and say so
        _corpus_ended(cfg, run.step, meter.first_step)
        if run.step > run.saved_step:
            run.save()
    progress.close()


def _step(run: _Run, batch: dict[str, torch.Tensor]) -> torch.Tensor:
    """One optimiser step on a masked batch; returns its loss."""
    with torch.autocast(run.device.type, dtype=torch.bfloat16, enabled=run.cfg.bf16):
        loss = run.model(**batch)
    loss.backward()
    nn.utils.clip_grad_norm_(run.model.parameters(), 1.0)
    run.optimizer.step()
    run.scheduler.step()
    run.optimizer.zero_grad(set_to_none=True)
    run.step += 1
    return loss


class _Meter:
    """Tokens, smoothed loss and speed of a launch; the ``--time-budget-min`` fit at step 60 of a fresh run."""

    def __init__(self, first_step: int) -> None:
        self.first_step = first_step
        self.run_started = self.started = self.timed_from = time.time()
        self.window_tokens = 0
        self.running: float | None = None

    def count(self, run: _Run, n_tokens: int) -> None:
        run.tokens += n_tokens
        self.window_tokens += n_tokens

    def log(self, run: _Run, value: float, log: Any, progress: Any) -> None:
        """Append the step's loss, smoothed loss, speed and learning rate to ``log.jsonl``."""
        self.running = value if self.running is None else 0.9 * self.running + 0.1 * value
        rate = self.window_tokens / (time.time() - self.started)
        log.write(json.dumps({"step": run.step, "loss": round(value, 4), "smoothed": round(self.running, 4),
                              "tokens": run.tokens, "docs": run.docs, "tokens_per_s": round(rate, 1),
                              "lr": run.scheduler.get_last_lr()[0], "time": time.time()}) + "\n")  # fmt: skip
        log.flush()
        progress.set_postfix(loss=f"{self.running:.3f}")
        self.started, self.window_tokens = time.time(), 0

    def fit_budget(self, run: _Run, progress: Any) -> None:
        """Time steps 11-60 of a fresh run and shorten ``total_steps`` to the budget."""
        cfg, step = run.cfg, run.step
        if not cfg.time_budget_min or self.first_step != 0:
            return
        if step == BUDGET_WARMUP_STEPS:
            self.timed_from = _synced_time(run.device)
        elif step == BUDGET_WARMUP_STEPS + BUDGET_TIMED_STEPS:
            now = _synced_time(run.device)  # the warm-up steps' time counts as spent, not as step time
            fitted = _fit_steps(cfg, step, (now - self.timed_from) / BUDGET_TIMED_STEPS, now - self.run_started)
            logger.info("time budget %.1f min: total_steps %d -> %d", cfg.time_budget_min, cfg.total_steps, fitted)
            cfg.total_steps = fitted
            progress.total = fitted
            run.write_config()


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


def main(argv: list[str] | None = None) -> int:
    """CLI entry point: ``python -m training pretrain --tokenizer DIR --run-dir DIR [--resume]``."""
    parser = argparse.ArgumentParser(prog="python -m training pretrain", description=__doc__)
    parser.add_argument("command", nargs="?", help=argparse.SUPPRESS)
    parser.add_argument("--resume", action="store_true", help="continue from RUN_DIR/checkpoint.pt")
    defaults = PretrainConfig(tokenizer="", run_dir="")
    for setting in fields(PretrainConfig):
        name, value, help_ = setting.name, getattr(defaults, setting.name), setting.metadata["help"]
        flag = "--" + name.replace("_", "-")
        if name == "corpus":
            parser.add_argument(flag, nargs="+", default=None, metavar="FILE", help=help_)
        elif name == "bf16":
            parser.add_argument(flag, action="store_true", help=help_)
        elif name == "tokens":
            parser.add_argument(flag, default=value, metavar="FILE.npy", help=help_)
        elif name in ("tokenizer", "run_dir"):
            parser.add_argument(flag, required=True, metavar="DIR", help=help_)
        else:
            parser.add_argument(flag, type=type(value), default=value, help=f"{help_} (default: %(default)s)")
    args = vars(parser.parse_args(argv))
    resume = args.pop("resume")
    args.pop("command")
    if args["tokens"] and args["corpus"]:
        parser.error("--tokens and --corpus both name the training text: give --tokens (a pretokenize array, random "
                     "windows) or --corpus (JSONL files, read in order), not both")  # fmt: skip
    if not args["tokens"]:
        args["corpus"] = args["corpus"] or [str(default_news_dir() / name) for name in DEFAULT_CORPORA]
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    pretrain(PretrainConfig(**args), resume)
    return 0
