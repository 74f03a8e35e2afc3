"""Shared pieces of the benchmarks: articles, windows, FLOP counts, memory, cold start, tables.

Benchmarks print ratios against a baseline run in the same process; nothing here asserts a
time. Run the scripts from the repository root (``python benchmarks/run.py ...``); they put the
repository on ``sys.path`` so an uninstalled checkout works.

Example:
    >>> # texts = load_articles(DEFAULT_DATA, 200)
    >>> # flops = encoder_flops(analyzer.model, [len(w.input_ids) for w in windows])
"""

from __future__ import annotations

import gzip
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA = "../shared/data/news/ant_multisource_2018.jsonl.gz"
"""The benchmark articles, relative to the repository root."""
PEAK_GFLOPS = 157.0
"""fp32 peak of the reference machine (2 Zen 3 cores, AVX2+FMA): 2 x 2.45 GHz x 32 FLOP/cycle."""
PEAK_GFLOPS_PER_CORE = PEAK_GFLOPS / 2

if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def resolve_data(path: str | os.PathLike[str]) -> Path:
    """Resolve ``path`` against the repository root unless it is absolute.

    Example:
        >>> resolve_data("/tmp/x.jsonl").as_posix()
        '/tmp/x.jsonl'
    """
    candidate = Path(path)
    return candidate if candidate.is_absolute() else (ROOT / candidate).resolve()


def load_articles(path: str | os.PathLike[str], count: int, field: str = "text") -> list[str]:
    """Return the first ``count`` distinct non-empty ``field`` values of a JSONL(.gz) file, in file order.

    Raises:
        FileNotFoundError: If the file does not exist.
        ValueError: If it holds fewer than ``count`` such texts.

    Example:
        >>> # len(load_articles(DEFAULT_DATA, 200)) -> 200
    """
    source = resolve_data(path)
    opener = gzip.open if source.suffix == ".gz" else open
    seen: set[str] = set()
    texts: list[str] = []
    with opener(source, "rt", encoding="utf-8") as handle:
        for line in handle:
            if not line.strip():
                continue
            text = json.loads(line).get(field)
            if isinstance(text, str) and text.strip() and text not in seen:
                seen.add(text)
                texts.append(text)
                if len(texts) == count:
                    return texts
    raise ValueError(f"{source} holds {len(texts)} distinct non-empty {field!r} texts, fewer than {count}")


def encode_documents(texts: Iterable[str], tokenizer: Any, settings: Any) -> list[list[Any]]:
    """Per document, its sentences as :class:`~arabnews_nlp.encoding.EncodedSpan` (the analyzer's own split).

    Example:
        >>> # spans = encode_documents(texts, analyzer.tokenizer, analyzer.settings)
    """
    from arabnews_nlp.encoding import encode_span
    from arabnews_nlp.text.segment import split_sentences

    return [
        [encode_span(text, start, end, tokenizer, settings) for start, end in split_sentences(text)] if text.strip() else []
        for text in texts
    ]


def linear_macs_per_token(module: Any) -> int:
    """Multiply-adds per token of every linear layer in ``module`` (fp32 or dynamically quantised).

    Example:
        >>> import torch
        >>> linear_macs_per_token(torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.Linear(3, 2)))
        18
    """
    return sum(
        int(sub.in_features) * int(sub.out_features)
        for sub in module.modules()
        if hasattr(sub, "in_features") and hasattr(sub, "out_features")
    )


def encoder_flops(model: Any, lengths: Sequence[int]) -> float:
    """FLOPs of one forward pass of ``model`` over windows of these token counts (no padding).

    ``2 x linear MACs per token x tokens`` for the encoder and the NER head, plus attention
    (``QK^T`` and ``AV``: ``4 x L^2 x hidden`` per layer and window), plus the stance and event
    heads once per window. Embedding lookups, softmax, GELU and layer norms are left out (a few %).

    Example:
        >>> # encoder_flops(analyzer.model, [34, 57, 12]) / 1e9 -> GFLOP
    """
    encoder_config = model.config.encoder
    hidden, layers = int(encoder_config.hidden_size), int(encoder_config.num_hidden_layers)
    per_token = linear_macs_per_token(model.encoder) + linear_macs_per_token(model.ner_head)
    per_window = linear_macs_per_token(model.stance_head) + linear_macs_per_token(model.event_head)
    tokens = sum(lengths)
    attention = sum(4.0 * length * length * hidden * layers for length in lengths)
    return 2.0 * per_token * tokens + attention + 2.0 * per_window * len(lengths)


class PaddingCounter:
    """Count real and padded tokens of every forward pass of a model (a forward pre-hook).

    Example:
        >>> # with PaddingCounter(analyzer.model) as counter: list(analyzer.pipe(texts))
        >>> # counter.overhead  -> padded / real tokens - 1
    """

    def __init__(self, model: Any) -> None:
        self.model, self.real, self.padded, self.batches, self._handle = model, 0, 0, 0, None

    def _hook(self, module: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        input_ids = kwargs.get("input_ids", args[0] if args else None)
        mask = kwargs.get("attention_mask")
        self.padded += int(input_ids.numel())
        self.real += int(mask.sum()) if mask is not None else int(input_ids.numel())
        self.batches += 1

    def __enter__(self) -> PaddingCounter:
        self._handle = self.model.register_forward_pre_hook(self._hook, with_kwargs=True)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._handle is not None:
            self._handle.remove()

    @property
    def overhead(self) -> float:
        """Padded tokens per real token, minus one (0.0: no padding)."""
        return self.padded / self.real - 1.0 if self.real else 0.0


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far, in MiB (Linux ``ru_maxrss`` is KiB).

    Example:
        >>> peak_rss_mb() > 0
        True
    """
    scale = 1.0 if sys.platform != "darwin" else 1.0 / 1024.0
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale / 1024.0


_COLD_START = """
import json, resource, sys, time
def hwm_mb():
    # VmHWM belongs to this process image; ru_maxrss also counts the parent's peak before exec.
    try:
        line = next(l for l in open("/proc/self/status") if l.startswith("VmHWM:"))
        return int(line.split()[1]) / 1024
    except (OSError, StopIteration):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
start = time.perf_counter()
import arabnews_nlp
imported = time.perf_counter()
backend = sys.argv[2]
if backend == "torch":
    import torch, transformers
    from arabnews_nlp.modeling import AnalyzerModel
frameworks = time.perf_counter()
analyzer = arabnews_nlp.Analyzer.from_pretrained(sys.argv[1] if sys.argv[1] else None, device="cpu", backend=backend)
loaded = time.perf_counter()
analyzer.analyze("قال المتحدث إن القوات ستبقى.")
first = time.perf_counter()
print(json.dumps({"import_s": imported - start, "torch_transformers_import_s": frameworks - imported,
                  "load_s": loaded - frameworks, "first_call_s": first - loaded,
                  "maxrss_mb": hwm_mb(),
                  "torch_imported": float("torch" in sys.modules)}))
"""


def cold_start(model: str | None, repeats: int = 3, backend: str = "torch") -> dict[str, float]:
    """Median over ``repeats`` fresh interpreters of: process wall time to a loaded analyzer, and its parts.

    ``process_s`` runs from spawning ``python`` to the end of the first ``analyze`` call (interpreter
    start, ``import arabnews_nlp`` (lazy, cheap), importing torch and transformers (torch backend
    only), loading the model, one short sentence). ``torch_imported`` is 1.0 when torch ended up
    in ``sys.modules``.

    Example:
        >>> # cold_start("models/default")["process_s"]
    """
    runs: list[dict[str, float]] = []
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
    for _ in range(repeats):
        began = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-c", _COLD_START, model or "", backend], capture_output=True, text=True, env=env, check=True
        )
        record = json.loads(done.stdout.strip().splitlines()[-1])
        record["process_s"] = time.perf_counter() - began
        runs.append(record)
    return {key: statistics.median(run[key] for run in runs) for key in runs[0]}


def percentile(values: Sequence[float], q: float) -> float:
    """The ``q``-th percentile (0-100) of ``values``, linear interpolation.

    Example:
        >>> percentile([1.0, 2.0, 3.0, 4.0], 50)
        2.5
    """
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    position = (len(ordered) - 1) * q / 100.0
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def machine_state() -> dict[str, Any]:
    """CPU count, torch threads, load average and versions: the context every number needs.

    Example:
        >>> sorted(machine_state())[:2]
        ['cpu_count', 'load_avg_1m']
    """
    import torch
    import transformers

    return {
        "cpu_count": os.cpu_count(),
        "load_avg_1m": round(os.getloadavg()[0], 2),
        "torch_threads": torch.get_num_threads(),
        "omp_num_threads": os.environ.get("OMP_NUM_THREADS"),
        "python": platform.python_version(),
        "torch": torch.__version__,
        "transformers": transformers.__version__,
        "processor": platform.processor() or platform.machine(),
    }


def format_table(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """Render rows as a fixed-width text table; floats get 3 significant-ish digits.

    Example:
        >>> print(format_table(["a", "b"], [["x", 1.5]]))
        a  b
        -  ---
        x  1.5
    """

    def cell(value: Any) -> str:
        if isinstance(value, float):
            return f"{value:,.1f}" if abs(value) >= 100 else f"{value:.3g}"
        return str(value)

    cells = [[cell(value) for value in row] for row in rows]
    widths = [max(len(str(h)), *(len(row[i]) for row in cells)) for i, h in enumerate(header)]
    lines = ["  ".join(str(h).ljust(w) for h, w in zip(header, widths)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in cells]
    return "\n".join(lines)


def emit(results: dict[str, Any], text: str, out: str | None) -> None:
    """Print the report and, with ``out``, write the results as JSON there."""
    print(text)
    if out:
        Path(out).write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        print(f"\nwrote {out}")
