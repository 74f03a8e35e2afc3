"""Inter-annotator agreement between two annotation passes of the same documents.

Both passes are SCHEMA.md records with the same ids. Entities are compared as exact
``(start, end, label)`` triples (F1 is symmetric, so which pass is the reference does not matter);
sentences are paired by identical spans (a blind second pass is given the first pass's
sentence spans), stance by raw agreement and Cohen's kappa, events as ``(sentence, label)`` pairs
by F1. ``python -m training.data.agreement A.jsonl B.jsonl`` prints the numbers as JSON; each
pass may be records or surface documents (converted and validated first, as ``python -m training
validate`` does), and a pair of files that shares no document id is an error, not a perfect score.
"""

from __future__ import annotations

import argparse
import collections
import json
import sys
from collections.abc import Iterable
from typing import Any

from arabnews_nlp.errors import DataFormatError


def _f1(a: set[Any], b: set[Any]) -> float:
    if not a and not b:
        return 1.0
    return 2 * len(a & b) / (len(a) + len(b))


def cohen_kappa(first: list[str], second: list[str]) -> float:
    """Cohen's kappa of two equally long label sequences.

    Example:
        >>> round(cohen_kappa(["a", "a", "b", "b"], ["a", "b", "b", "b"]), 3)
        0.5
    """
    n = len(first)
    if n == 0:
        return 1.0
    observed = sum(x == y for x, y in zip(first, second)) / n
    count_a, count_b = collections.Counter(first), collections.Counter(second)
    expected = sum(count_a[k] * count_b[k] for k in count_a) / (n * n)
    return 1.0 if expected == 1 else (observed - expected) / (1 - expected)


def agreement(first: Iterable[dict[str, Any]], second: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """Compare two passes; documents are matched by id, sentences by identical span.

    Returns:
        Counts (``documents_only_first`` and ``documents_only_second``: ids found in one pass
        only, left out of every figure) and ``entity_f1``, ``entity_f1_by_type``,
        ``stance_agreement``, ``stance_kappa``, ``event_f1``, ``doc_stance_agreement``.
    """
    first = list(first)
    by_id = {doc["id"]: doc for doc in second}
    first_ids = {doc["id"] for doc in first}
    ents_a: set[tuple[Any, ...]] = set()
    ents_b: set[tuple[Any, ...]] = set()
    stance_a: list[str] = []
    stance_b: list[str] = []
    events_a: set[tuple[Any, ...]] = set()
    events_b: set[tuple[Any, ...]] = set()
    doc_same, docs, unpaired = 0, 0, 0
    for doc in first:
        other = by_id.get(doc["id"])
        if other is None:
            continue
        docs += 1
        doc_same += doc["doc_stance"] == other["doc_stance"]
        ents_a |= {(doc["id"], e["start"], e["end"], e["label"]) for e in doc["entities"]}
        ents_b |= {(doc["id"], e["start"], e["end"], e["label"]) for e in other["entities"]}
        spans_b = {(s["start"], s["end"]): s for s in other["sentences"]}
        for sent in doc["sentences"]:
            match = spans_b.get((sent["start"], sent["end"]))
            if match is None:
                unpaired += 1
                continue
            stance_a.append(sent["stance"])
            stance_b.append(match["stance"])
            key = (doc["id"], sent["start"])
            events_a |= {(*key, e) for e in sent["events"] or []}
            events_b |= {(*key, e) for e in match["events"] or []}
    types = sorted({e[3] for e in ents_a | ents_b})
    return {
        "documents": docs,
        "documents_only_first": len(first_ids - set(by_id)),
        "documents_only_second": len(set(by_id) - first_ids),
        "sentences_paired": len(stance_a),
        "sentences_unpaired": unpaired,
        "entities_first": len(ents_a),
        "entities_second": len(ents_b),
        "entity_f1": round(_f1(ents_a, ents_b), 4),
        "entity_f1_by_type": {t: round(_f1({e for e in ents_a if e[3] == t}, {e for e in ents_b if e[3] == t}), 4) for t in types},
        "stance_agreement": round(sum(x == y for x, y in zip(stance_a, stance_b)) / max(1, len(stance_a)), 4),
        "stance_kappa": round(cohen_kappa(stance_a, stance_b), 4),
        "event_f1": round(_f1(events_a, events_b), 4),
        "doc_stance_agreement": round(doc_same / max(1, docs), 4),
    }


def read_pass(path: str) -> list[dict[str, Any]]:
    """Read one annotation pass (records or surface documents), converted and validated.

    Raises:
        DataFormatError: Naming every ``file:line`` problem, as ``python -m training validate``
            prints them.
        OSError: When the file cannot be read (missing, a directory).
    """
    from training.data.checked_files import duplicate_problems, load_checked

    records, problems = load_checked(path)
    problems += duplicate_problems({path: records})
    if problems:
        raise DataFormatError(f"{path}: {len(problems)} problem(s); fix them first:\n" + "\n".join(problems))
    return [record for _, record in records]


def main(argv: list[str] | None = None) -> int:
    """``python -m training.data.agreement FIRST SECOND``: print the agreement as JSON.

    Returns:
        0; 2 (with one message on stderr) when a file cannot be read or has problems, or when
        the two passes share no document id.
    """
    parser = argparse.ArgumentParser(
        prog="python -m training.data.agreement",
        description="Agreement between two annotation passes of the same documents (records or surface JSONL).",
    )
    parser.add_argument("first", help="the first pass")
    parser.add_argument("second", help="the second pass (same document ids)")
    args = parser.parse_args(argv)
    try:
        first, second = read_pass(args.first), read_pass(args.second)
    except (DataFormatError, OSError) as err:
        parser.exit(2, f"{parser.prog}: error: {err}\n")
    result = agreement(first, second)
    if not result["documents"]:
        ids = ", ".join(sorted(str(doc["id"]) for doc in first)[:3])
        parser.exit(
            2,
            f"{parser.prog}: error: no document id of {args.first} ({ids}…) is in {args.second}; "
            "both passes must annotate the same documents under the same ids\n",
        )
    print(json.dumps(result, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
