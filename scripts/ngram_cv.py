"""Do the n-gram models carry over to articles they were not fitted on? Grouped cross-validation on train.

Dev has 46 articles, so a change that gains on dev, even on held-out dev halves
(``scripts/ngram_halves.py``), may fit those articles and no others. This script is the second,
larger check: it splits the real (non-synthetic) training documents into ``--folds`` groups of
whole documents; for each group it fits the n-gram models exactly as training does
(``training.ngram.fit_ngram``, with the word clusters of ``--model`` and the ``--ner-extra``
records for the tagger) on every other training document (synthetic ones included, and the
``--fit-only`` records) and scores the n-gram models alone on the held-out group:

* stance macro-F1 of the most probable label;
* events micro- and macro-F1 at ``--threshold`` (the balanced regressions are centred on 0.5);
* NER micro-F1 (seqeval strict) of the word tagger alone, decoded by the same Viterbi.

Nothing here reads dev or test data, and the encoder is not used (it was trained on these
documents). About a minute per fold on 2 cores.

    python scripts/ngram_cv.py --model models/default --train seeds/train.jsonl --folds 5

Do new annotations help on other articles? Keep the folds of the old training split and add the
new documents to every fitted part with ``--fit-only``; they are never scored, so both runs score
the same held-out documents:

    python scripts/ngram_cv.py --train old_train.jsonl --fit-only new_batches.jsonl

``--subset pool-`` also scores the held-out documents whose id starts with ``pool-`` on their own
(the pool articles, the kind dev and users' articles are), on a line before the summary.

``--tagger crf`` fits the word tagger as a linear-chain CRF (the config's ``ngram_tagger``);
``--event-clusters on`` gives the event regressions the word-cluster block (``ngram_event_clusters``);
``--gazetteer fill`` (or ``override``) combines the tagger's tags with the names of the fitted
documents, as a model's ``gazetteer_mode`` does (the names of ``training.baseline.precise_gazetteer``,
``--min-name-precision`` 0.5).
"""

from __future__ import annotations

import argparse
import logging
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # `pip install .` does not install `training`

from training.config_checks import NGRAM_TAGGERS


def main() -> None:
    """Print the n-gram models' cross-validated scores on the real training documents."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", default="models/default", help="model whose word clusters the tagger reads")
    parser.add_argument("--train", nargs="+", default=["seeds/train.jsonl"])
    parser.add_argument("--ner-extra", nargs="*", default=["runs/data/anercorp_train.jsonl"],
                        help="NER-only records for the tagger, as the config's ner_extra (made by "
                        "`python -m training convert anercorp`); give the flag alone for none")  # fmt: skip
    parser.add_argument("--fit-only", nargs="*", default=[],
                        help="records added to every fitted part and never scored (new annotations to judge)")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--threshold", type=float, default=0.5)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--tagger", choices=NGRAM_TAGGERS, default="maxent", help="the word tagger to fit")
    parser.add_argument("--subset", metavar="PREFIX",
                        help="also score the held-out documents whose id starts with PREFIX (e.g. pool-)")
    parser.add_argument("--gazetteer", choices=["off", "fill", "override"], default="off",
                        help="combine the tagger's tags with the fitted documents' names, as a model's "
                        "gazetteer_mode does (names: training.baseline.precise_gazetteer)")  # fmt: skip
    parser.add_argument("--min-name-precision", type=float, default=0.5,
                        help="--gazetteer: keep the names that are entities in at least this share of their matches")  # fmt: skip
    parser.add_argument("--event-clusters", choices=["on", "off"],
                        help="word-cluster features for the event regressions (default: as the model)")
    args = parser.parse_args()
    logging.disable(logging.INFO)

    from arabnews_nlp.ngram_features import NgramConfig
    from arabnews_nlp.settings import AnalyzerSettings
    from arabnews_nlp.tasks.gazetteer import apply_gazetteer
    from arabnews_nlp.tasks.ner import viterbi_bio
    from training.baseline import precise_gazetteer
    from training.data.records import read_records
    from training.ngram import fit_ngram, gold_spans, tagged_words

    settings = AnalyzerSettings.load(args.model)
    labels, config = settings.labels, NgramConfig.from_dict(settings.ngram or {})
    if args.event_clusters:
        config.event_clusters = args.event_clusters == "on"
    clusters = settings.ngram_model.clusters if settings.ngram_model else None
    records, extra = read_records(args.train), read_records(args.ner_extra) if args.ner_extra else []
    fit_only = read_records(args.fit_only) if args.fit_only else []
    real = sorted(str(r["id"]) for r in records if not r.get("synthetic"))
    random.Random(args.seed).shuffle(real)
    chosen = {name for name in real if args.subset and name.startswith(args.subset)}
    if args.subset and not chosen:
        parser.error(f"--subset {args.subset}: no real training document's id starts with it")
    gold: dict[str, list] = {"stance": [], "events": [], "ner": []}
    pred: dict[str, list] = {"stance": [], "events": [], "ner": []}
    row_ids: dict[str, list[str]] = {"stance": [], "events": [], "ner": []}  # each scored row's document, as gold
    readers = {"stance": lambda record: gold_spans([record], "stance"),
               "events": lambda record: gold_spans([record], "events"), "ner": lambda record: tagged_words([record])}
    for fold in range(args.folds):
        held = set(real[fold :: args.folds])
        fitted = [r for r in records if str(r["id"]) not in held] + fit_only
        scored = [r for r in records if str(r["id"]) in held]
        model = fit_ngram(fitted, labels["stance"], labels["events"], labels["ner"], extra, config, clusters, args.tagger)
        names = precise_gazetteer(fitted, args.min_name_precision) if args.gazetteer != "off" else {}
        found = {task: [(str(r["id"]), row) for r in scored for row in read(r)] for task, read in readers.items()}
        for task, pairs in found.items():
            row_ids[task] += [name for name, _ in pairs]
        stance_spans, event_spans = [row for _, row in found["stance"]], [row for _, row in found["events"]]
        texts = list(dict.fromkeys([text for text, _ in stance_spans] + [text for text, _ in event_spans]))
        row = {text: i for i, text in enumerate(texts)}  # the same sentences mostly: featurise each once
        stance, events = model.sentence_probabilities(texts)
        gold["stance"] += [label for _, label in stance_spans]
        pred["stance"] += [labels["stance"][stance[row[text]].argmax()] for text, _ in stance_spans]
        gold["events"] += [set(types) for _, types in event_spans]
        pred["events"] += [{t for t, p in zip(labels["events"], events[row[text]]) if p >= args.threshold}
                           for text, _ in event_spans]  # fmt: skip
        for _, (words, tags) in found["ner"]:
            rows = model.tag_probabilities(words).tolist()
            gold["ner"].append(tags)
            tagged = [labels["ner"][i] for i in viterbi_bio(rows, labels["ner"])]
            pred["ner"].append(apply_gazetteer(*_joined(words), tagged, names, args.gazetteer, settings.normalization))
        print(f"fold {fold + 1}/{args.folds}: {len(held)} held-out documents", flush=True)
    if args.subset:
        part = {key: {task: [row for row, name in zip(rows, row_ids[task]) if name in chosen]
                      for task, rows in table.items()} for key, table in (("gold", gold), ("pred", pred))}  # fmt: skip
        print(f"{len(chosen)} held-out documents with ids starting {args.subset!r}: "
              f"{_scores(part['gold'], part['pred'], labels)}")  # fmt: skip
    print(f"{len(real)} real training documents in {args.folds} folds (n-gram models alone): "
          f"{_scores(gold, pred, labels)}")


def _joined(words: list[str]) -> tuple[str, list[tuple[int, int]]]:
    """The words joined by single spaces, and each word's span in that text."""
    spans, start = [], 0
    for word in words:
        spans.append((start, start + len(word)))
        start += len(word) + 1
    return " ".join(words), spans


def _scores(gold: dict[str, list], pred: dict[str, list], labels: dict[str, list[str]]) -> str:
    """The summary's four scores of ``pred`` against ``gold``."""
    from training.metrics import event_scores, ner_scores, stance_scores

    event = event_scores(gold["events"], pred["events"], labels["events"])
    return (f"stance macro-F1 {stance_scores(gold['stance'], pred['stance'], labels['stance'])['macro_f1']:.4f}  "
            f"events micro-F1 {event['micro']['f1']:.4f}  events macro-F1 {event['macro_f1']:.4f}  "
            f"NER micro-F1 {ner_scores(gold['ner'], pred['ner'])['micro']['f1']:.4f}")  # fmt: skip


if __name__ == "__main__":
    main()
