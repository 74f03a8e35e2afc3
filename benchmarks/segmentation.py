"""Benchmark: the sentence splitter and the HTML blanker on pathological inputs against real news of the same size.

``split_sentences`` must stay linear in the length of its input whatever the input holds: runs
of full stops, thousands of one-letter abbreviations, a bracket that never closes, a long open
quote full of ellipses, no punctuation at all, runs of no-break spaces. The tests check the Python-side work by counting
the characters each input makes the splitter read (``tests/text/test_segment.py``); this script
times the whole splitter, regular expressions included, in one process, and prints each input's
time per character as a ratio to real news (the seed articles repeated to the same size). A
ratio near 1 (or below) means linear; a quadratic path shows as a ratio that grows with
``--chars``. A second table does the same for what ``markup="html"`` does before the model
(:func:`arabnews_nlp.text.markup.blank_html`, then
:func:`~arabnews_nlp.text.markup.page_sentences`) on unclosed tags and comments against the news
wrapped in paragraphs.

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

from arabnews_nlp.text.markup import blank_html, page_sentences
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
    "no-break space runs (7, then 8)": lambda n: ("\xa0" * 7 + " x") * (n // 9) + "\xa0" * 8,
    "bulleted list numbers (* 1. )": lambda n: ("\n*" + " " * 20 + "1. ") * (n // 25),
    "years and their era (2005 م. )": lambda n: "2005 م. " * (n // 8),
}


MARKUP: dict[str, Callable[[int], str]] = {
    "tags never closed (<script )": lambda n: "<script " * (n // 8),
    "stray < before words (x<y )": lambda n: "x<y " * (n // 4),
    "comments never closed": lambda n: "<!-- " * (n // 5),
    "doctypes never closed": lambda n: "<!x " * (n // 4),
    "inline tags and references": lambda n: ("<b>&#1602;&#1575;&#1604;</b> " * (n // 28))[:n],
    "preformatted tags never closed (<pre )": lambda n: "<pre " * (n // 5),
    "preformatted lines (<pre>x\\n)": lambda n: "<pre>x\n" * (n // 7),
    "markup, no text (<i></i>)": lambda n: "<i></i>" * (n // 7),
    "quotes never closed in a tag (<a t=\"x )": lambda n: '<a t="x ' * (n // 8),
    "words after & (no reference, 31 letters)": lambda n: ("&" + "x" * 31 + " ") * (n // 33),
    "one tag of quoted attributes never closed": lambda n: "<a" + ' x="1"' * (n // 6),
}


def read_page(page: str) -> list[tuple[int, int]]:
    """What ``markup="html"`` does before the model: blank the markup, split the visible text."""
    return page_sentences(blank_html(page))


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


def seconds(text: str, repeats: int, function: Callable[[str], object] = split_sentences) -> float:
    """Median wall time of ``function(text)`` over ``repeats`` passes."""
    runs = []
    for _ in range(repeats):
        began = time.perf_counter()
        function(text)
        runs.append(time.perf_counter() - began)
    return statistics.median(runs)


def table(make_baseline: str, inputs: dict[str, Callable[[int], str]], function: Callable[[str], object],
          chars: int, repeats: int) -> tuple[list[list[str]], dict[str, object]]:  # fmt: skip
    """Rows and results: ``function``'s time per character on each input, as a ratio to ``make_baseline``."""
    baseline = seconds(make_baseline, repeats, function) / len(make_baseline)
    rows = [["baseline", f"{len(make_baseline):,}", f"{baseline * 1e9:.1f}", "1.00"]]
    results: dict[str, object] = {"baseline_ns_per_char": baseline * 1e9, "inputs": {}}
    for name, make in inputs.items():
        text = make(chars)
        per_char = seconds(text, repeats, function) / len(text)
        rows.append([name, f"{len(text):,}", f"{per_char * 1e9:.1f}", f"{per_char / baseline:.2f}"])
        results["inputs"][name] = {"chars": len(text), "ns_per_char": per_char * 1e9, "ratio": per_char / baseline}  # type: ignore[index]
    return rows, results


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    text = news(args.chars)
    page = "".join(f"<p>{line}</p>\n" for line in text.splitlines())
    header = ["input", "characters", "ns/char", "ratio to baseline"]
    split_rows, split_results = table(text, PATHOLOGICAL, split_sentences, args.chars, args.repeats)
    markup_rows, markup_results = table(page, MARKUP, read_page, args.chars, args.repeats)
    report = (f"split_sentences (baseline: news, the seed articles repeated)\n{format_table(header, split_rows)}\n\n"
              f"blank_html + page_sentences (baseline: the same news in <p> paragraphs)\n{format_table(header, markup_rows)}")  # fmt: skip
    results = {"chars": args.chars, "split_sentences": split_results, "read_page": markup_results,
               "machine": machine_state()}  # fmt: skip
    emit(results, report, args.out)


if __name__ == "__main__":
    main()
