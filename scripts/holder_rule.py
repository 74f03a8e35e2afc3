"""How often the stance holder rule names the annotated holder, given the gold entities and stance.

The holder of an ``anti``/``pro`` sentence is not a model output: :func:`arabnews_nlp.tasks.stance.find_holder`
takes the subject of the sentence's first speech verb. This script scores that rule alone on
annotated files: for every real (not synthetic) sentence whose gold stance is ``anti`` or ``pro``,
it runs the rule on the sentence's gold PER/ORG entities and counts an exact match with the gold
holder span (``null`` matching ``null``).

    python scripts/holder_rule.py seeds/train.jsonl seeds/dev.jsonl
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # `pip install .` does not install `training`


def score(path: str) -> dict[str, int]:
    """Count the sentences, exact matches, gold ``null`` holders and predicted ``null`` holders of one file."""
    from arabnews_nlp.results import Entity
    from arabnews_nlp.tasks.stance import find_holder
    from training.data.records import read_records

    counts = dict.fromkeys(("sentences", "exact", "gold_null", "rule_null"), 0)
    for record in read_records(path):
        if record.get("synthetic"):
            continue
        text = record["text"]
        for sentence in record["sentences"]:
            if sentence.get("stance") not in ("anti", "pro"):
                continue
            start, end = sentence["start"], sentence["end"]
            words = [(m.start() + start, m.end() + start) for m in re.finditer(r"\S+", text[start:end])]
            entities = [Entity(e["start"], e["end"], e["label"], text[e["start"] : e["end"]], 1.0)
                        for e in record["entities"] if start <= e["start"] and e["end"] <= end]  # fmt: skip
            found = find_holder(text, words, entities)
            gold = sentence.get("holder")
            rule = None if found is None else (found.start, found.end)
            want = None if gold is None else (gold["start"], gold["end"])
            counts["sentences"] += 1
            counts["exact"] += rule == want
            counts["gold_null"] += want is None
            counts["rule_null"] += rule is None
    return counts


def main() -> None:
    """Print the holder rule's exact-match accuracy per file."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("files", nargs="+", help="annotated JSONL files (e.g. seeds/train.jsonl seeds/dev.jsonl)")
    for path in parser.parse_args().files:
        c = score(path)
        accuracy = c["exact"] / c["sentences"] if c["sentences"] else 0.0
        print(f"{path}: {c['sentences']} anti/pro sentences, holder exact {accuracy:.3f} "
              f"({c['exact']}), gold null {c['gold_null']}, rule null {c['rule_null']}")  # fmt: skip


if __name__ == "__main__":
    main()
