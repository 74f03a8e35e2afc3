"""Benchmark: float32 against dynamic int8 (:mod:`arabnews_nlp.quantize`) on the same articles.

Prints, side by side in one process: articles/s of each and the speed-up; how often int8 says
the same as float32 per sentence (entities, stance, events) and per document (stance); the
serialised model size; and, when the dev split exists (``seeds/dev.jsonl``, SCHEMA.md JSONL) and
the training package imports, the dev scores of both (``training.evaluation.modes.evaluate_model``,
the code behind ``python -m training evaluate``) and their difference.

Usage:
    python benchmarks/quantization.py --model DIR --articles 200 [--dev seeds/dev.jsonl] [--out FILE]

Example:
    $ OMP_NUM_THREADS=2 python benchmarks/quantization.py --model models/default --articles 200
"""

from __future__ import annotations

import argparse
import io
import statistics
import time
from typing import Any

from common import DEFAULT_DATA, emit, format_table, load_articles, machine_state, resolve_data

from agreement import agreement, analysis_views


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", default=None, help="model directory or hub id (default: bundled)")
    parser.add_argument("--articles", type=int, default=200)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--data", default=DEFAULT_DATA, help="JSONL(.gz) articles, relative to the repo root")
    parser.add_argument("--dev", default="seeds/dev.jsonl", help="gold dev split (SCHEMA.md JSONL), relative to the repo root")
    parser.add_argument("--backend", default="auto", choices=("auto", "torch", "torchao"))
    parser.add_argument("--repeats", type=int, default=1, help="timed passes of each, interleaved (median)")
    parser.add_argument("--threads", type=int, default=None, help="torch.set_num_threads (default: torch's)")
    parser.add_argument("--out", default=None, help="write the results as JSON here")
    return parser.parse_args(argv)


def serialized_mb(model: Any) -> float:
    """Size of ``model.state_dict()`` saved with ``torch.save`` (int8 weights are packed), MiB."""
    import torch

    buffer = io.BytesIO()
    torch.save(model.state_dict(), buffer)
    return buffer.tell() / 2**20


def time_both(fp32: Any, int8: Any, texts: list[str], batch_size: int, repeats: int) -> dict[str, Any]:
    """Interleaved timed passes; returns seconds (median) and the analyses of the last pass."""
    runs: dict[str, list[float]] = {"fp32": [], "int8": []}
    analyses: dict[str, list[Any]] = {}
    for analyzer in (fp32, int8):  # warm-up
        list(analyzer.pipe(texts[:5], batch_size=batch_size))
    for _ in range(repeats):
        for name, analyzer in (("fp32", fp32), ("int8", int8)):
            began = time.perf_counter()
            analyses[name] = list(analyzer.pipe(texts, batch_size=batch_size))
            runs[name].append(time.perf_counter() - began)
    return {"seconds": {k: statistics.median(v) for k, v in runs.items()}, "all_seconds": runs, "analyses": analyses}


def document_agreement(first: list[Any], second: list[Any]) -> dict[str, float]:
    """Same document stance label; mean |difference| of sentence stance scores."""
    same = sum(a.stance.label == b.stance.label for a, b in zip(first, second)) / max(len(first), 1)
    diffs = [
        abs(s.stance.score - t.stance.score)
        for a, b in zip(first, second)
        for s, t in zip(a.sentences, b.sentences)
        if s.stance.label == t.stance.label
    ]
    return {"doc_stance": same, "mean_abs_stance_score_diff": statistics.fmean(diffs) if diffs else 0.0}


def dev_scores(fp32: Any, int8: Any, dev: str, batch_size: int) -> dict[str, Any] | None:
    """Dev metrics of both models, or ``None`` (with the reason) when the dev split or training is missing."""
    path = resolve_data(dev)
    if not path.is_file():
        return {"skipped": f"{path} not found"}
    try:
        from training.data.records import read_records
        from training.evaluation.modes import evaluate_model
        from training.evaluation.summary import summary
        from training.extras import check_extra
    except ImportError as error:
        return {"skipped": f"training package not importable ({error}); pip install 'arabnews-nlp[train]'"}
    try:  # the scorers import [train] packages (seqeval) only when they run: checked before any prediction
        check_extra("evaluate")
    except ImportError as error:
        return {"skipped": f"dev scores: {error}"}
    records = read_records(path)
    scores = {}
    for name, analyzer in (("fp32", fp32), ("int8", int8)):
        scores[name] = summary(evaluate_model(analyzer.model, analyzer.tokenizer, analyzer.settings, records, "both", batch_size))
    return {"path": str(path), "documents": len(records), **scores}


def measure(args: argparse.Namespace) -> dict[str, Any]:
    """Load, quantise, time, compare, evaluate."""
    import torch

    from arabnews_nlp import Analyzer
    from arabnews_nlp.quantize import quantize_analyzer

    if args.threads:
        torch.set_num_threads(args.threads)
    state = machine_state()
    texts = load_articles(args.data, args.articles)
    fp32 = Analyzer.from_pretrained(args.model, device="cpu")
    began = time.perf_counter()
    int8 = quantize_analyzer(fp32, backend=args.backend)
    quantize_s = time.perf_counter() - began
    timed = time_both(fp32, int8, texts, args.batch_size, args.repeats)
    analyses = timed.pop("analyses")
    sentences = sum(len(a.sentences) for a in analyses["fp32"])
    seconds = timed["seconds"]
    return {
        "args": vars(args),
        "machine": state,
        "model": {"path": str(args.model or "bundled"), "trained": fp32.settings.trained},
        "articles": len(texts),
        "sentences": sentences,
        "quantize_s": quantize_s,
        "size_mb": {"fp32": serialized_mb(fp32.model), "int8": serialized_mb(int8.model)},
        **timed,
        "articles_per_s": {k: len(texts) / v for k, v in seconds.items()},
        "speedup": seconds["fp32"] / seconds["int8"],
        "agreement": agreement(analysis_views(analyses["fp32"]), analysis_views(analyses["int8"]))
        | document_agreement(analyses["fp32"], analyses["int8"]),
        "dev": dev_scores(fp32, int8, args.dev, args.batch_size),
    }


def report(results: dict[str, Any]) -> str:
    """The human-readable tables."""
    rate, size, machine = results["articles_per_s"], results["size_mb"], results["machine"]
    head = (
        f"model {results['model']['path']} (trained: {results['model']['trained']}); "
        f"{results['articles']} articles, {results['sentences']} sentences; backend {results['args']['backend']}\n"
        f"torch {machine['torch']}, {machine['torch_threads']} threads, load average {machine['load_avg_1m']}"
    )
    speed = format_table(
        ["", "fp32", "int8", "ratio"],
        [
            ["articles/s", rate["fp32"], rate["int8"], results["speedup"]],
            ["serialised MiB", size["fp32"], size["int8"], size["fp32"] / size["int8"]],
        ],
    )
    agree = results["agreement"]
    agree_rows = [[key, value] for key, value in agree.items()]
    parts = [head, speed, "int8 vs fp32 agreement (per sentence; doc_stance per document)\n" + format_table(["measure", "value"], agree_rows)]
    dev = results["dev"]
    if dev and "skipped" not in dev:
        keys = sorted(set(dev["fp32"]) | set(dev["int8"]))
        rows = [[k, dev["fp32"].get(k, float("nan")), dev["int8"].get(k, float("nan")),
                 dev["int8"].get(k, float("nan")) - dev["fp32"].get(k, float("nan"))] for k in keys]  # fmt: skip
        parts.append(f"dev scores ({dev['documents']} documents, {dev['path']})\n" + format_table(["metric", "fp32", "int8", "int8 - fp32"], rows))
    else:
        parts.append(f"dev scores: skipped ({dev['skipped'] if dev else 'no dev split'}); the agreement above stands in")
    return "\n\n".join(parts)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    results = measure(args)
    emit(results, report(results), args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
