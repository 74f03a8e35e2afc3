"""How many unannotated articles in the shared corpora could still teach stance?

Reads the three news corpora of ``../shared/data/news`` and keeps the articles that a new stance
round would look at:
- 300-3,500 characters, Iraq or Syria (or one of their cities) named;
- US or coalition forces named (``القوات الأمريكية``, ``التحالف الدولي``, ``الوجود الأمريكي``,
  ``القواعد الأمريكية``, ``القوات الأجنبية`` and their spellings);
- not annotated (no id of an annotated file, ``seeds/candidates`` included) and no near copy of
  one: at most a quarter of its 5-word sequences shared with the annotated texts or with an
  earlier pick.

The model then reads each candidate, and the script prints how many of them have at least one
sentence it labels ``anti`` or ``pro``, with the titles of those articles.

    python scripts/stance_candidates.py                # ~20 s on 2 cores
    python scripts/stance_candidates.py --model DIR --data ../shared/data/news --out cands.jsonl
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PLACE = re.compile(
    r"العراق|عراقي|سوري|سورية|سوريا|بغداد|الموصل|الأنبار|الانبار|كركوك|دير الزور|الرقة|منبج|إدلب|ادلب|حلب|دمشق|البصرة"
)
FORCES = re.compile(
    r"القوات (?:ال)?(?:أمريكية|أميركية|امريكية|اميركية|أجنبية|اجنبية)|التحالف الدولي|الوجود (?:ال)?(?:أمريكي|أميركي)"
    r"|قوات (?:أمريكية|أميركية)|الجنود (?:ال)?(?:أمريكيين|أميركيين)|الاحتلال (?:ال)?(?:أمريكي|أميركي)"
    r"|القواعد (?:ال)?(?:أمريكية|أميركية)"
)
CORPORA = ("ant_multisource_2018.jsonl.gz", "news_credibility_2013.jsonl.gz", "ant_jawharafm_2014_2017.jsonl.gz")
SHARE = 0.25


def five_grams(text: str) -> set[str]:
    """The set of 5-word sequences of ``text``, words being runs of word characters.

    Not :func:`training.data.split.shingles`, which splits at whitespace and keeps punctuation on
    the words: this is how the selections of batches 99-122 counted shared text.
    """
    words = re.findall(r"\w+", text)
    return {" ".join(words[i : i + 5]) for i in range(len(words) - 4)}


def annotated(root: Path) -> tuple[set[str], set[str]]:
    """The source ids and the 5-word sequences of every annotated file of the repository."""
    files = [*root.glob("seeds/surface/*.jsonl"), *root.glob("seeds/test_surface/*.jsonl"),
             *root.glob("seeds/candidates/*.jsonl"), *(root / "seeds" / f"{s}.jsonl" for s in ("train", "dev", "test"))]  # fmt: skip
    ids: set[str] = set()
    grams: set[str] = set()
    for path in filter(Path.is_file, files):
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            doc = json.loads(line)
            ids.add(doc["id"].split("-", 1)[-1])
            source = doc.get("source")
            if isinstance(source, dict) and source.get("doc_id"):
                ids.add(source["doc_id"])
            grams |= five_grams(doc["text"])
    return ids, grams


def articles(data: Path) -> Iterator[dict[str, str]]:
    """Every article of the three corpora as ``{"doc_id", "corpus", "title", "text"}``."""
    for name in CORPORA:
        with gzip.open(data / name, "rt", encoding="utf-8") as lines:
            for number, line in enumerate(lines, start=1):
                doc = json.loads(line)
                if not isinstance(doc.get("text"), str):
                    continue
                doc_id = doc.get("docno") or f"line{number}"  # the 2013 corpus has no id: its line number
                title = doc.get("title") or ""
                yield {"doc_id": doc_id, "corpus": name.split(".")[0], "title": title, "text": doc["text"]}


def candidates(data: Path, root: Path) -> list[dict[str, str]]:
    """The articles a stance round would read, by the rules of the module docstring."""
    ids, seen = annotated(root)
    kept: list[dict[str, str]] = []
    picked: list[set[str]] = []
    for doc in articles(data):
        text = doc["text"]
        if not 300 <= len(text) <= 3500 or doc["doc_id"] in ids:
            continue
        if not FORCES.search(text) or not PLACE.search(doc["title"] + " " + text):
            continue
        grams = five_grams(text)
        if not grams or len(grams & seen) / len(grams) > SHARE:
            continue
        if any(len(grams & other) / len(grams) > SHARE for other in picked):
            continue
        kept.append(doc)
        picked.append(grams)
    return kept


def main(argv: list[str] | None = None) -> int:
    """Print the candidate count, by corpus, and the candidates the model gives a position."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=str(ROOT / "models" / "default"))
    parser.add_argument("--data", default=str(ROOT.parent / "shared" / "data" / "news"))
    parser.add_argument("--out", help="write the candidates with the model's positions here (JSONL)")
    args = parser.parse_args(argv)

    missing = [name for name in CORPORA if not (Path(args.data) / name).is_file()]
    if missing:
        names = ", ".join(missing)
        print(f"error: {args.data} lacks {names}; pass --data, the folder of the news corpora", file=sys.stderr)
        return 2
    from arabnews_nlp import Analyzer

    found = candidates(Path(args.data), ROOT)
    print(f"candidates: {len(found)}", dict(Counter(doc["corpus"] for doc in found)))
    analyzer = Analyzer.from_pretrained(args.model)
    rows = []
    for doc, analysis in zip(found, analyzer.pipe((d["text"] for d in found), progress=True), strict=True):
        positions = dict(Counter(s.stance.label for s in analysis.sentences if s.stance.label != "neutral"))
        if positions:
            print(f"  {doc['doc_id']}  {positions}  {doc['title'][:80]}")
        rows.append({**doc, "positions": positions})
    if args.out:
        lines = (json.dumps(row, ensure_ascii=False) + "\n" for row in rows)
        Path(args.out).write_text("".join(lines), encoding="utf-8")
    with_position = sum(1 for row in rows if row["positions"])
    print(f"with at least one sentence the model labels anti or pro: {with_position} of {len(found)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
