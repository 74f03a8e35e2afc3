"""Benchmark: the sentence splitter on pathological inputs against real news of the same size.

``split_sentences`` must stay linear in the length of its input whatever the input holds: runs
of full stops, thousands of one-letter abbreviations, a bracket that never closes, a long open
quote full of ellipses, no punctuation at all. The tests check the Python-side work by counting
the characters each input makes the splitter read (``tests/text/test_segment.py``); this script
times the whole splitter, regular expressions included, in one process, and prints each input's
time per character as a ratio to real news (the seed articles repeated to the same size). A
ratio near 1 (or below) means linear; a quadratic path shows as a ratio that grows with
``--chars``.

Usage:
    python benchmarks/segmentation.py [--chars 1000000] [--repeats 3] [--out FILE]

Example:
    $ python benchmarks/segmentation.py --chars 200000
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from pathlib import Path

from common import emit, format_table, machine_state

from arabnews_nlp.text.segment import split_sentences

SEEDS = Path(__file__).resolve().parents[1] / "seeds" / "raw"

# name -> a string of about n characters
PATHOLOGICAL: dict[str, Callable[[int], str]] = {
    "full stops, no space": lambda n: "." * (n - 1) + "x",
    "one-letter abbreviations (د. )": lambda n: "د. " * (n // 3),
    "bracket never closed": lambda n: "(" + "." * (n - 1),
    "open quote full of ellipses": lambda n: ("«" + "كلمة.. " * (n // 7))[:n],
    "no punctuation": lambda n: "كلمة " * (n // 5),
    "one word, no space": lambda n: "ك" * n,
    "long tokens before full stops": lambda n: ("w" * 2000 + ". ") * (n // 2002),
}


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--chars", type=int, default=1_000_000, help="size of each input (default 1,000,000)")
    parser.add_argument("--repeats", type=int, default=3, help="timed passes of each input (median)")
    parser.add_argument("--out", default=None, help="write the results as JSON here")
    return parser.parse_args(argv)


def news(chars: int) -> str:
    """The seed articles, repeated and cut to ``chars`` characters."""
    text = "\n".join(path.read_text(encoding="utf-8") for path in sorted(SEEDS.glob("*.txt")))
    return (text * (chars // len(text) + 1))[:chars]


def seconds(text: str, repeats: int) -> float:
    """Median wall time of ``split_sentences(text)`` over ``repeats`` passes."""
    runs = []
    for _ in range(repeats):
        began = time.perf_counter()
        split_sentences(text)
        runs.append(time.perf_counter() - began)
    return statistics.median(runs)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    baseline_text = news(args.chars)
    baseline = seconds(baseline_text, args.repeats) / len(baseline_text)
    rows = [["news (seed articles repeated)", f"{len(baseline_text):,}", f"{baseline * 1e9:.1f}", "1.00"]]
    results = {"chars": args.chars, "news_ns_per_char": baseline * 1e9, "inputs": {}}
    for name, make in PATHOLOGICAL.items():
        text = make(args.chars)
        per_char = seconds(text, args.repeats) / len(text)
        rows.append([name, f"{len(text):,}", f"{per_char * 1e9:.1f}", f"{per_char / baseline:.2f}"])
        results["inputs"][name] = {"chars": len(text), "ns_per_char": per_char * 1e9, "ratio": per_char / baseline}
    results["machine"] = machine_state()
    emit(results, format_table(["input", "characters", "ns/char", "ratio to news"], rows), args.out)


if __name__ == "__main__":
    main()
