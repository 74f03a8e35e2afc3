"""Benchmark: ``Analyzer.pipe`` against three Hugging Face pipelines on the same weights.

One command, one process, the same articles and sentences for both sides::

    python benchmarks/run.py --model models/default --articles 200 [--batch-size 32] [--out benchmarks/results.json]

Measured: (a) arabnews-nlp ``Analyzer.pipe`` articles/s and sentences/s; (b) the baseline a user
would write: the same sentences (same splitter), normalised, through ``pipeline("token-classification",
aggregation_strategy="first")``, ``pipeline("text-classification")`` (stance) and
``pipeline("text-classification", function_to_apply="sigmoid", top_k=None)`` (events), sentence
by sentence (:mod:`arabnews_nlp.hf_pipelines`); the ratio; whether both say the same; cold start
(fresh interpreter, median of 3); single-article latency; peak RSS; and the achieved GFLOP/s of
the encoder against the 157 GFLOP/s fp32 peak of the reference 2-core machine. Timings on a busy
machine are noisy: the load average is printed and saved with the numbers.

Example:
    $ OMP_NUM_THREADS=2 python benchmarks/run.py --model models/default --articles 200 --out benchmarks/results.json
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from typing import Any

from common import (
    DEFAULT_DATA,
    PEAK_GFLOPS,
    PEAK_GFLOPS_PER_CORE,
    PaddingCounter,
    cold_start,
    emit,
    encode_documents,
    encoder_flops,
    format_table,
    load_articles,
    machine_state,
    peak_rss_mb,
    percentile,
)

from agreement import agreement, analysis_views, pipeline_views


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", default=None, help="model directory or hub id (default: bundled)")
    parser.add_argument("--articles", type=int, default=200, help="number of articles (default 200)")
    parser.add_argument("--batch-size", type=int, default=32, help="Analyzer.pipe batch size (default 32)")
    parser.add_argument("--hf-batch-size", type=int, default=1, help="pipelines' batch_size (default 1: sentence by sentence)")
    parser.add_argument("--data", default=DEFAULT_DATA, help="JSONL(.gz) with a 'text' field, relative to the repo root")
    parser.add_argument("--repeats", type=int, default=1, help="timed passes of each side, interleaved (median)")
    parser.add_argument("--latency-articles", type=int, default=20, help="articles for single-article latency")
    parser.add_argument("--cold-starts", type=int, default=3, help="fresh interpreters for cold start (0: skip)")
    parser.add_argument("--threads", type=int, default=None, help="torch.set_num_threads (default: torch's)")
    parser.add_argument(
        "--model-outputs-only", action="store_true",
        help="switch off the analyzer's decoding on top of the model (Viterbi, gazetteer, entity floor, stance "
        "factors), which the pipelines do not have, to check that both sides compute the same outputs",
    )  # fmt: skip
    parser.add_argument("--out", default=None, help="write the results as JSON here")
    return parser.parse_args(argv)


def corpus_stats(spans: list[list[Any]]) -> dict[str, Any]:
    """Sentence, window and token counts; the sentences that need several windows or have no token."""
    flat = [span for document in spans for span in document]
    lengths = [len(window.input_ids) for span in flat for window in span.windows]
    return {
        "sentences": len(flat),
        "windows": len(lengths),
        "tokens": sum(lengths),
        "max_window_tokens": max(lengths, default=0),
        "multi_window_sentences": sum(len(span.windows) > 1 for span in flat),
        "tokenless_sentences": sum(not span.windows for span in flat),
        "window_lengths": lengths,
        "windows_per_sentence": [len(span.windows) for span in flat],
    }


def time_analyzer(analyzer: Any, texts: list[str], batch_size: int) -> tuple[float, list[Any]]:
    began = time.perf_counter()
    analyses = list(analyzer.pipe(texts, batch_size=batch_size))
    return time.perf_counter() - began, analyses


def time_pipelines(pipes: Any, texts: list[str], batch_size: int) -> tuple[float, list[str], list[Any]]:
    """Split (the analyzer's splitter), then the three pipelines; the timing includes both."""
    from arabnews_nlp.hf_pipelines import run_pipelines
    from arabnews_nlp.text.segment import split_sentences

    began = time.perf_counter()
    sentences = [text[s:e] for text in texts for s, e in split_sentences(text)]
    results = run_pipelines(pipes, sentences, batch_size=batch_size)
    return time.perf_counter() - began, sentences, results


def time_forward_only(analyzer: Any, lengths_and_windows: list[Any], batch_size: int) -> float:
    """The model alone over every window, length-sorted batches (what an ideal bucketing costs)."""
    import torch

    from arabnews_nlp.encoding import collate

    windows = sorted(lengths_and_windows, key=lambda window: len(window.input_ids))
    pad = analyzer.tokenizer.pad_token_id or 0
    began = time.perf_counter()
    with torch.inference_mode():
        for first in range(0, len(windows), batch_size):
            analyzer.model(**collate(windows[first : first + batch_size], pad))
    return time.perf_counter() - began


def latency(analyzer: Any, texts: list[str]) -> dict[str, float] | None:
    """Milliseconds per ``analyze(text)`` call, one article at a time (``None`` for no articles)."""
    if not texts:
        return None
    times = []
    for text in texts:
        began = time.perf_counter()
        analyzer.analyze(text)
        times.append((time.perf_counter() - began) * 1000.0)
    return {"median_ms": statistics.median(times), "p90_ms": percentile(times, 90), "articles": len(times)}


def agreement_report(analyses: list[Any], sentences: list[str], results: list[Any], windows_per_sentence: list[int]) -> dict[str, Any]:
    """Agreement overall, on single-window sentences, and on multi-window ones (tokenless excluded)."""
    ours, theirs = analysis_views(analyses), pipeline_views(sentences, results)
    groups = {
        "all_with_tokens": [i for i, n in enumerate(windows_per_sentence) if n > 0],
        "single_window": [i for i, n in enumerate(windows_per_sentence) if n == 1],
        "multi_window": [i for i, n in enumerate(windows_per_sentence) if n > 1],
    }
    return {name: agreement([ours[i] for i in idx], [theirs[i] for i in idx]) for name, idx in groups.items()}


def timed_runs(analyzer: Any, pipes: Any, texts: list[str], args: argparse.Namespace) -> dict[str, Any]:
    """Warm up, then ``args.repeats`` interleaved passes of each side; medians, outputs, memory, padding."""
    time_analyzer(analyzer, texts[:5], args.batch_size)
    time_pipelines(pipes, texts[:2], args.hf_batch_size)
    ours_s, theirs_s = [], []
    for repeat in range(args.repeats):
        with PaddingCounter(analyzer.model) as padding:
            seconds, analyses = time_analyzer(analyzer, texts, args.batch_size)
        ours_s.append(seconds)
        rss_ours = peak_rss_mb()
        seconds, sentences, results = time_pipelines(pipes, texts, args.hf_batch_size)
        theirs_s.append(seconds)
    return {
        "arabnews_nlp": {"seconds": statistics.median(ours_s), "all_seconds": ours_s, "peak_rss_mb": rss_ours,
                         "forward_passes": padding.batches, "padding_overhead": padding.overhead},
        "hf_pipelines": {"seconds": statistics.median(theirs_s), "all_seconds": theirs_s, "peak_rss_mb": peak_rss_mb()},
        "outputs": (analyses, sentences, results),
    }  # fmt: skip


def numpy_backend(args: argparse.Namespace, texts: list[str], reference: list[Any]) -> dict[str, Any]:
    """Time the torch-free backend on the same texts and compare its analyses with the torch ones."""
    from arabnews_nlp import Analyzer

    began = time.perf_counter()
    analyzer = Analyzer.from_pretrained(args.model, backend="numpy")
    load_s = time.perf_counter() - began
    time_analyzer(analyzer, texts[:5], args.batch_size)
    runs = [time_analyzer(analyzer, texts, args.batch_size) for _ in range(args.repeats)]
    analyses = runs[-1][1]
    same, score_diff = 0, 0.0
    for ours, theirs in zip(analyses, reference):
        a, b = labels_of(ours), labels_of(theirs)
        same += a == b
        score_diff = max(score_diff, max_score_difference(ours, theirs))
    return {"seconds": statistics.median(r[0] for r in runs), "all_seconds": [r[0] for r in runs], "load_s_in_process": load_s,
            "documents_identical_labels": same, "documents": len(analyses), "max_score_difference": score_diff}  # fmt: skip


def labels_of(analysis: Any) -> list[Any]:
    """Everything but the scores: sentence spans, stances, holders, events, entity spans."""
    return [
        (s.start, s.end, s.stance.label, s.stance.holder and (s.stance.holder.start, s.stance.holder.end),
         [e.label for e in s.events], [(e.start, e.end, e.label) for e in s.entities])
        for s in analysis.sentences
    ] + [analysis.stance.label]  # fmt: skip


def max_score_difference(first: Any, second: Any) -> float:
    """The largest difference between corresponding scores (labels assumed equal)."""
    pairs = [(first.stance.score, second.stance.score)]
    for a, b in zip(first.sentences, second.sentences):
        pairs += [(a.stance.score, b.stance.score)]
        pairs += [(x.score, y.score) for x, y in zip(a.events, b.events)]
        pairs += [(x.score, y.score) for x, y in zip(a.entities, b.entities)]
    return max(abs(x - y) for x, y in pairs)


def measure(args: argparse.Namespace) -> dict[str, Any]:
    """Run every measurement and return the results dict."""
    import torch

    from arabnews_nlp import Analyzer
    from arabnews_nlp.hf_pipelines import build_pipelines

    if args.threads:
        torch.set_num_threads(args.threads)
    state = machine_state()
    texts = load_articles(args.data, args.articles)
    began = time.perf_counter()
    analyzer = Analyzer.from_pretrained(args.model, device="cpu")
    load_s = time.perf_counter() - began
    if args.model_outputs_only:
        plain_decoding(analyzer)
    pipes = build_pipelines(analyzer.model, analyzer.tokenizer, analyzer.settings, device="cpu")
    spans = encode_documents(texts, analyzer.tokenizer, analyzer.settings)
    stats = corpus_stats(spans)
    runs = timed_runs(analyzer, pipes, texts, args)
    analyses, sentences, results = runs.pop("outputs")
    windows = [window for document in spans for span in document for window in span.windows]
    encoder = analyzer.model.config.encoder
    return runs | {
        "args": vars(args),
        "machine": state | {"load_avg_1m_end": round(os.getloadavg()[0], 2)},
        "model": {"path": str(args.model or "bundled"), "trained": analyzer.settings.trained, "load_s_in_process": load_s,
                  "encoder": {k: getattr(encoder, k) for k in ("hidden_size", "num_hidden_layers", "intermediate_size", "vocab_size")},
                  "max_length": analyzer.settings.max_length},
        "corpus": {k: v for k, v in stats.items() if k not in ("window_lengths", "windows_per_sentence")} | {"articles": len(texts)},
        "forward_only_s": time_forward_only(analyzer, windows, args.batch_size),
        "gflop": encoder_flops(analyzer.model, stats["window_lengths"]) / 1e9,
        "latency": latency(analyzer, texts[: args.latency_articles]),
        "agreement": agreement_report(analyses, sentences, results, stats["windows_per_sentence"]),
        "cold_start": cold_start(args.model, args.cold_starts) if args.cold_starts else None,
        "cold_start_numpy": cold_start(args.model, args.cold_starts, backend="numpy") if args.cold_starts else None,
        "numpy_backend": None if args.model_outputs_only else numpy_backend(args, texts, analyses),
    }  # fmt: skip


def derive(results: dict[str, Any]) -> dict[str, Any]:
    """Add rates, the ratio and GFLOP/s to ``results`` (in place) and return it."""
    articles, sentences = results["corpus"]["articles"], results["corpus"]["sentences"]
    for side in ("arabnews_nlp", "hf_pipelines"):
        seconds = results[side]["seconds"]
        results[side] |= {"articles_per_s": articles / seconds, "sentences_per_s": sentences / seconds,
                          "tokens_per_s": results["corpus"]["tokens"] / seconds}  # fmt: skip
    results["speedup"] = results["hf_pipelines"]["seconds"] / results["arabnews_nlp"]["seconds"]
    if results.get("numpy_backend"):
        numpy_side = results["numpy_backend"]
        numpy_side["articles_per_s"] = articles / numpy_side["seconds"]
        numpy_side["vs_torch_backend"] = results["arabnews_nlp"]["seconds"] / numpy_side["seconds"]
        numpy_side["vs_hf_pipelines"] = results["hf_pipelines"]["seconds"] / numpy_side["seconds"]
    gflop, machine = results["gflop"], results["machine"]
    threads_peak = PEAK_GFLOPS_PER_CORE * min(machine["torch_threads"], machine["cpu_count"] or 1)
    gflops = {
        "end_to_end": gflop / results["arabnews_nlp"]["seconds"],
        "forward_only": gflop / results["forward_only_s"],
        "hf_pipelines_useful": gflop / results["hf_pipelines"]["seconds"],
        "peak_machine": PEAK_GFLOPS,
        "peak_threads_used": threads_peak,
    }
    for key in ("end_to_end", "forward_only", "hf_pipelines_useful"):
        gflops[f"{key}_pct_of_machine_peak"] = 100.0 * gflops[key] / PEAK_GFLOPS
        gflops[f"{key}_pct_of_threads_peak"] = 100.0 * gflops[key] / threads_peak
    results["gflops"] = gflops
    return results


def report(results: dict[str, Any]) -> str:
    """The human-readable tables."""
    ours, theirs, corpus, machine = results["arabnews_nlp"], results["hf_pipelines"], results["corpus"], results["machine"]
    head = (
        f"model {results['model']['path']} (trained: {results['model']['trained']}, encoder {results['model']['encoder']})\n"
        f"{corpus['articles']} articles, {corpus['sentences']} sentences, {corpus['windows']} windows, {corpus['tokens']} tokens "
        f"({corpus['multi_window_sentences']} sentences need >1 window, {corpus['tokenless_sentences']} have no token)\n"
        f"torch {machine['torch']}, {machine['torch_threads']} threads, {machine['cpu_count']} CPUs, "
        f"load average {machine['load_avg_1m']} -> {machine['load_avg_1m_end']} (timings are noisy when it exceeds the cores)"
    )
    rows = [
        ["articles/s", ours["articles_per_s"], theirs["articles_per_s"], results["speedup"]],
        ["sentences/s", ours["sentences_per_s"], theirs["sentences_per_s"], results["speedup"]],
        ["seconds", ours["seconds"], theirs["seconds"], ""],
        ["peak RSS MiB (cumulative)", ours["peak_rss_mb"], theirs["peak_rss_mb"], ""],
    ]
    table = format_table(["", "arabnews-nlp", f"HF pipelines x3 (batch {results['args']['hf_batch_size']})", "ratio"], rows)
    gf, lat = results["gflops"], results["latency"]

    def rate(key: str) -> str:
        return (f"{gf[key]:.2f} ({gf[key + '_pct_of_machine_peak']:.1f} % of the 2-core peak {gf['peak_machine']:.0f}, "
                f"{gf[key + '_pct_of_threads_peak']:.1f} % of {gf['peak_threads_used']:.0f} for the threads used)")  # fmt: skip

    extra = [
        ["encoder GFLOP/s, Analyzer.pipe end to end", rate("end_to_end")],
        ["encoder GFLOP/s, forward passes only", rate("forward_only")],
        ["useful GFLOP/s, HF pipelines (3 passes)", rate("hf_pipelines_useful")],
        ["padding in Analyzer.pipe batches", f"{100 * ours['padding_overhead']:.1f} % extra tokens ({ours['forward_passes']} forward passes)"],
    ]
    if lat:
        extra.append(["single-article latency", f"median {lat['median_ms']:.1f} ms, p90 {lat['p90_ms']:.1f} ms ({lat['articles']} articles)"])
    for name, key in (("cold start, torch backend (median)", "cold_start"), ("cold start, numpy backend (median)", "cold_start_numpy")):
        cold = results.get(key)
        if cold:
            extra.append([name, f"{cold['process_s']:.2f} s process (import arabnews_nlp {cold['import_s']:.2f} s, "
                          f"torch+transformers {cold['torch_transformers_import_s']:.2f} s, load {cold['load_s']:.2f} s, "
                          f"first call {cold['first_call_s']:.3f} s; RSS {cold['maxrss_mb']:.0f} MiB; "
                          f"torch imported: {bool(cold['torch_imported'])})"])  # fmt: skip
    numpy_side = results.get("numpy_backend")
    if numpy_side:
        extra.append(["numpy backend, Analyzer.pipe", f"{numpy_side['articles_per_s']:.2f} articles/s = {numpy_side['vs_torch_backend']:.2f}x the "
                      f"torch backend, {numpy_side['vs_hf_pipelines']:.2f}x HF pipelines; same labels on {numpy_side['documents_identical_labels']}"
                      f"/{numpy_side['documents']} articles, scores within {numpy_side['max_score_difference']:.1e}"])  # fmt: skip
    agree = [
        [name, a["sentences"], a.get("entities_exact", ""), a.get("entities_jaccard", ""), a.get("stance", ""), a.get("events_exact", ""), a.get("all", "")]
        for name, a in results["agreement"].items()
    ]  # fmt: skip
    return "\n\n".join([
        head, table, format_table(["measure", "value"], extra),
        "agreement arabnews-nlp vs HF pipelines (per sentence)\n"
        + format_table(["sentences", "n", "entities =", "entity jaccard", "stance =", "events =", "all ="], agree),
    ])  # fmt: skip


def plain_decoding(analyzer: Any) -> None:
    """Make the analyzer decode as the pipelines do: argmax tags, no gazetteer, floor or stance factors."""
    import dataclasses

    analyzer.settings = dataclasses.replace(
        analyzer.settings, ner_decoding="argmax", gazetteer_mode="off", gazetteer={}, ner_min_score=0.0, stance_weights={}
    )


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    results = derive(measure(args))
    emit(results, report(results), args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
