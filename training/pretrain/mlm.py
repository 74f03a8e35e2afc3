"""``python -m training pretrain``: masked-language-model pre-training of a compact encoder.

Recipe (FACTS.md): BERT-style encoder, our WordPiece vocabulary, 128-token sequences packed
from a de-duplicated stream of news, whole-word masking (15 % of words; 80/10/10), and logits
computed **only at masked positions** (several times faster than the stock MLM head on CPU).
AdamW with warm-up and linear decay. Every ``--save-every`` steps the run directory gets a
checkpoint (model, optimiser, scheduler, RNG, stream position) and an exported encoder
(``encoder/``: a plain ``BertModel`` + tokenizer, loadable with ``AutoModel``); ``--resume``
continues exactly where the last checkpoint stopped. Losses go to ``log.jsonl``.
"""

from __future__ import annotations

import argparse
import json
import logging
import math
import random
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import torch
from torch import nn

from training.pretrain.corpus import DEFAULT_CORPORA, default_news_dir, iter_documents

logger = logging.getLogger(__name__)


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
    for text in iter_documents([Path(p) for p in cfg.corpus], skip=skip_docs):
        batch.append(text)
        if len(batch) < 64:
            continue
        for ids in tokenizer(batch, add_special_tokens=False)["input_ids"]:
            buffer.extend(ids + [tokenizer.sep_token_id])
        docs += len(batch)
        batch = []
        while len(buffer) >= body:
            yield buffer[:body], docs
            buffer = buffer[body:]


def _mask(seq: list[int], tokenizer: Any, cfg: PretrainConfig, rng: random.Random, is_cont: list[bool]) -> tuple[list[int], list[int], list[int]]:
    """Whole-word masking: returns (input ids, masked positions, original ids at those positions)."""
    ids = [tokenizer.cls_token_id, *seq, tokenizer.sep_token_id]
    words: list[list[int]] = []
    for pos in range(1, len(ids) - 1):
        if ids[pos] == tokenizer.sep_token_id:
            continue
        if words and is_cont[ids[pos]]:
            words[-1].append(pos)
        else:
            words.append([pos])
    n_mask = max(1, round(len(words) * cfg.mask_prob))
    positions = sorted(p for word in rng.sample(words, min(n_mask, len(words))) for p in word)
    targets = [ids[p] for p in positions]
    for p in positions:
        roll = rng.random()
        if roll < 0.8:
            ids[p] = tokenizer.mask_token_id
        elif roll < 0.9:
            ids[p] = rng.randrange(5, len(is_cont))
    return ids, positions, targets


def _batches(cfg: PretrainConfig, tokenizer: Any, skip_docs: int, rng: random.Random) -> Iterator[tuple[dict[str, torch.Tensor], int]]:
    vocab = tokenizer.convert_ids_to_tokens(list(range(len(tokenizer))))
    is_cont = [token.startswith("##") for token in vocab]
    rows: list[list[int]] = []
    flat_positions: list[int] = []
    targets: list[int] = []
    for seq, docs in _sequences(cfg, tokenizer, skip_docs):
        ids, positions, tgt = _mask(seq, tokenizer, cfg, rng, is_cont)
        flat_positions += [len(rows) * cfg.seq_len + p for p in positions]
        targets += tgt
        rows.append(ids)
        if len(rows) == cfg.batch_size:
            yield {
                "input_ids": torch.tensor(rows),
                "positions": torch.tensor(flat_positions),
                "targets": torch.tensor(targets),
            }, docs
            rows, flat_positions, targets = [], [], []


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


def pretrain(cfg: PretrainConfig, resume: bool) -> None:
    """Run (or resume) pre-training until ``cfg.total_steps``."""
    from tqdm.auto import tqdm
    from transformers import AutoTokenizer, BertConfig

    torch.set_num_threads(cfg.threads)
    torch.manual_seed(cfg.seed)
    run_dir = Path(cfg.run_dir)
    run_dir.mkdir(parents=True, exist_ok=True)
    tokenizer = AutoTokenizer.from_pretrained(cfg.tokenizer)
    bert_config = BertConfig(
        vocab_size=len(tokenizer), hidden_size=cfg.hidden_size, num_hidden_layers=cfg.num_layers,
        num_attention_heads=cfg.num_heads, intermediate_size=cfg.intermediate_size,
        max_position_embeddings=cfg.seq_len, pad_token_id=tokenizer.pad_token_id,
    )
    model = MaskedOnlyMLM(bert_config)
    decay = [p for n, p in model.named_parameters() if p.ndim > 1]
    no_decay = [p for n, p in model.named_parameters() if p.ndim <= 1]
    optimizer = torch.optim.AdamW(
        [{"params": decay, "weight_decay": cfg.weight_decay}, {"params": no_decay, "weight_decay": 0.0}],
        lr=cfg.lr, betas=(0.9, 0.98), eps=1e-6,
    )
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, _lr_lambda(cfg))
    step, docs, tokens = 0, 0, 0
    rng = random.Random(cfg.seed)
    ckpt_path = run_dir / "checkpoint.pt"
    if resume and ckpt_path.exists():
        state = torch.load(ckpt_path, weights_only=False)
        model.load_state_dict(state["model"])
        optimizer.load_state_dict(state["optimizer"])
        scheduler.load_state_dict(state["scheduler"])
        step, docs, tokens = state["step"], state["docs"], state["tokens"]
        rng.setstate(state["rng"])
        torch.set_rng_state(state["torch_rng"])
        logger.info("resumed at step %d (%d documents, %d tokens)", step, docs, tokens)
    (run_dir / "config.json").write_text(json.dumps(asdict(cfg), indent=2), encoding="utf-8")
    model.train()
    progress = tqdm(total=cfg.total_steps, initial=step, desc="pretrain", unit="step")
    started, window_tokens, running = time.time(), 0, None
    with (run_dir / "log.jsonl").open("a", encoding="utf-8") as log:
        for batch, docs_now in _batches(cfg, tokenizer, docs, rng):
            if step >= cfg.total_steps:
                break
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
            running = loss.item() if running is None else 0.98 * running + 0.02 * loss.item()
            progress.update(1)
            progress.set_postfix(loss=f"{running:.3f}")
            if step % 10 == 0:
                rate = window_tokens / (time.time() - started)
                log.write(json.dumps({"step": step, "loss": round(loss.item(), 4), "smoothed": round(running, 4),
                                      "tokens": tokens, "docs": docs, "tokens_per_s": round(rate, 1),
                                      "lr": scheduler.get_last_lr()[0], "time": time.time()}) + "\n")
                log.flush()
                started, window_tokens = time.time(), 0
            if step % cfg.save_every == 0 or step == cfg.total_steps:
                _save(model, optimizer, scheduler, step, docs, tokens, rng, ckpt_path)
                _export_encoder(model, tokenizer, run_dir)
    progress.close()


def _save(model: nn.Module, optimizer: Any, scheduler: Any, step: int, docs: int, tokens: int, rng: random.Random, path: Path) -> None:
    tmp = path.with_suffix(".tmp")
    torch.save({"model": model.state_dict(), "optimizer": optimizer.state_dict(), "scheduler": scheduler.state_dict(),
                "step": step, "docs": docs, "tokens": tokens, "rng": rng.getstate(),
                "torch_rng": torch.get_rng_state()}, tmp)
    tmp.replace(path)  # atomic: a run killed mid-save keeps the previous checkpoint


def main(argv: list[str] | None = None) -> int:
    """CLI entry point: ``python -m training pretrain --tokenizer DIR --run-dir DIR [--resume]``."""
    parser = argparse.ArgumentParser(prog="python -m training pretrain", description=__doc__)
    parser.add_argument("command", nargs="?", help=argparse.SUPPRESS)
    parser.add_argument("--resume", action="store_true", help="continue from RUN_DIR/checkpoint.pt")
    defaults = PretrainConfig(tokenizer="", run_dir="")
    for name, value in asdict(defaults).items():
        flag = "--" + name.replace("_", "-")
        if name == "corpus":
            parser.add_argument(flag, nargs="+", default=None)
        else:
            parser.add_argument(flag, type=type(value) if value != "" else str, default=value, required=value == "")
    args = vars(parser.parse_args(argv))
    resume = args.pop("resume")
    args.pop("command")
    args["corpus"] = args["corpus"] or [str(default_news_dir() / name) for name in DEFAULT_CORPORA]
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    pretrain(PretrainConfig(**args), resume)
    return 0
