"""The model card (``README.md``) of a fine-tuned model, written from files, never by hand.

Every number in the card is read from the metrics JSON files that the evaluation wrote
(``python -m training evaluate --out …``, or the same code run at the end of ``finetune``), and
the commands that produced the model and the scores are quoted verbatim.

Example:
    >>> data_stats([])
    {}
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, NamedTuple

from arabnews_nlp.model_card import LICENCE, front_matter
from arabnews_nlp.schema import ENTITY_TYPES, EVENT_TYPES, STANCE_LABELS
from arabnews_nlp.settings import AnalyzerSettings
from training.data.records import read_records, record_tasks, sentence_entities

RARE_LABELS = 3  # how many of the least-trained labels the Limitations name

ALWAYS_TRUE = (
    "- The stance target is fixed (the US/coalition military presence in Iraq and Syria); stance "
    "toward anything else is `neutral` by design.",
    "- Modern Standard Arabic news only; dialects, social media and transliterated text are out of domain.",
    "- Predictions are not facts: do not use them to make decisions about people.",
)
SYNTHETIC = "- Sentences marked `synthetic` were written for training only and never scored."

# layer -> (its name in the card, its labels, what one training example of a label is: one, many)
LAYERS = {
    "ner": ("NER", ENTITY_TYPES, ("entity", "entities")),
    "stance": ("stance", STANCE_LABELS, ("sentence", "sentences")),
    "events": ("events", EVENT_TYPES, ("sentence", "sentences")),
}


class LayerCounts(NamedTuple):
    """The training examples of one annotation layer.

    Attributes:
        sentences: Sentences annotated for the layer.
        labels: Examples per label of the layer (every label of the schema, 0 when absent).
    """

    sentences: int
    labels: dict[str, int]


def label_counts(sentences: Iterable[tuple[Mapping[str, Any], Mapping[str, Any]]]) -> dict[str, LayerCounts]:
    """Count the training examples per layer and label: entities by type, sentences by stance and event.

    ``sentences`` are ``(record, sentence)`` pairs, the unit training reads and samples
    (:func:`training.features.gold_sentences`); only the layers a record annotates
    (:func:`~training.data.records.record_tasks`) count, as in training.

    Example:
        >>> record = {"text": "x", "tasks": ["stance"], "entities": [],
        ...           "sentences": [{"start": 0, "end": 1, "stance": "pro", "events": []}]}
        >>> counts = label_counts([(record, record["sentences"][0])])
        >>> counts["stance"].labels["pro"], counts["ner"].sentences, counts["events"].sentences
        (1, 0, 0)
    """
    annotated = dict.fromkeys(LAYERS, 0)
    labels = {layer: dict.fromkeys(names, 0) for layer, (_, names, _) in LAYERS.items()}
    for record, sentence in sentences:
        tasks = record_tasks(record)
        if "ner" in tasks:
            annotated["ner"] += 1
            for entity in sentence_entities(record, sentence):
                labels["ner"][entity["label"]] = labels["ner"].get(entity["label"], 0) + 1
        if "stance" in tasks and sentence.get("stance") is not None:
            annotated["stance"] += 1
            labels["stance"][sentence["stance"]] = labels["stance"].get(sentence["stance"], 0) + 1
        if "events" in tasks and sentence.get("events") is not None:
            annotated["events"] += 1
            for name in sentence["events"]:
                labels["events"][name] = labels["events"].get(name, 0) + 1
    return {layer: LayerCounts(annotated[layer], labels[layer]) for layer in LAYERS}


RETUNE_CONFIG = ("Retune config (its data files, n-gram and dev-choice settings were used; its training settings "
                 "were not: `retune` trains nothing):")
"""What the card of a retuned model calls its config."""


def limitations(
    config: Mapping[str, Any],
    stats: Mapping[str, Mapping[str, int]],
    labels: Mapping[str, LayerCounts] | None = None,
    retuned: bool = False,
    ner_extra_used: tuple[int, int] | None = None,
) -> list[str]:
    """The card's Limitations: what the run's data, trained layers and rarest labels imply.

    Args:
        config: The fine-tuning config (as a dict): its ``train``, ``ner_extra``, ``dev``,
            ``exclude_synthetic`` and ``base`` (what an untrained head holds: :func:`untrained_note`)
            are read.
        stats: :func:`data_stats` of the data files.
        labels: :func:`label_counts` of the training sentences; without them the card names no
            layer or label.
        retuned: The model was made by ``python -m training retune``: the training files fitted
            only the n-gram models and the choices, not the encoder and heads.
        ner_extra_used: How many ``ner_extra`` sentences training used, of how many in the files
            (:func:`training_label_counts`); the card then says whether ``labels`` count a sample.

    Example:
        >>> limitations({"train": ["a.jsonl"]}, {"a.jsonl": {"documents": 3, "sentences": 9}})[0]
        '- Trained on `a.jsonl` (3 documents, 9 sentences); there was no dev file: nothing was tuned on held-out data.'
    """
    lines = [_data_line(config, stats, retuned, ner_extra_used)]
    if labels is not None:
        lines += _label_lines(labels, str(config.get("base") or ""), retuned)
    lines += ALWAYS_TRUE[:2]
    train = [stats[str(path)] for path in config.get("train") or [] if str(path) in stats]
    if not config.get("exclude_synthetic") and any(counts.get("synthetic_documents") for counts in train):
        lines.append(SYNTHETIC)
    return [*lines, *ALWAYS_TRUE[2:]]


def _data_line(
    config: Mapping[str, Any],
    stats: Mapping[str, Mapping[str, int]],
    retuned: bool = False,
    ner_extra_used: tuple[int, int] | None = None,
) -> str:
    """The Limitations line on the training and dev data: what they were and how much."""
    files = [str(path) for path in config.get("train") or []]
    counts = [stats[path] for path in files if path in stats]
    documents, sentences = (sum(c.get(key, 0) for c in counts) for key in ("documents", "sentences"))
    synthetic = sum(c.get("synthetic_documents", 0) for c in counts) if config.get("exclude_synthetic") else 0
    left_out = f"; of them, {_plural(synthetic, 'synthetic document')} left out" if synthetic else ""
    names = ", ".join(f"`{path}`" for path in files) or "no file"
    what = "Retuned on" if retuned else "Trained on"
    line = f"- {what} {names} ({_plural(documents, 'document')}, {_plural(sentences, 'sentence')}{left_out})"
    extra = config.get("ner_extra") or []
    if extra:
        line += _extra_clause(config, ", ".join(f"`{path}`" for path in extra), retuned, ner_extra_used)
    if retuned:
        line += (": only the n-gram models and the choices made on dev were fitted on them; the encoder and its "
                 "heads are those of the model this one was retuned from, trained before (see its card)")  # fmt: skip
    dev = config.get("dev")
    if not dev:
        return line + "; there was no dev file: nothing was tuned on held-out data."
    size = stats.get(str(dev), {}).get("documents")
    of = f" of {_plural(size, 'document')}" if size is not None else ""
    return line + f"; scores on the dev set{of} are estimates, noisy when it is small."


def _extra_clause(config: Mapping[str, Any], names: str, retuned: bool, used: tuple[int, int] | None) -> str:
    """The data line's clause on the ``ner_extra`` sentences: all of them, or how many were sampled and how."""
    if retuned:
        return f", plus NER-only sentences from {names}"
    if used is None:
        return f", plus NER-only sentences sampled from {names}"
    kept, total = used
    if kept == total:
        return f", plus the {_plural(total, 'NER-only sentence')} of {names}"
    limits = ", ".join(f"{key} {config[key]}" for key in ("ner_extra_max_sentences", "ner_extra_ratio")
                       if config.get(key) is not None)  # fmt: skip
    return (f", plus {kept} of the {_plural(total, 'NER-only sentence')} of {names}, a seeded sample ({limits}); "
            "the label counts below count that sample, what training used")  # fmt: skip


def _plural(n: int, word: str) -> str:
    """``n`` and ``word``, in the plural unless ``n`` is 1."""
    return f"{n} {word}{'s' if n != 1 else ''}"


ANNOTATION_SECTIONS = {"ner": "§2", "stance": "§3", "events": "§4"}
"""The section of docs/annotation.md on each layer."""


def untrained_note(labels: Mapping[str, LayerCounts], base: str = "") -> str | None:
    """What a fine-tuning run leaves in the heads of the layers that no training sentence annotates.

    Such a head gets no gradient: from a plain encoder ``base`` it keeps its random initial
    weights (its answers mean nothing, though the model says ``trained``); from a trained analyzer
    directory (:func:`training.base_checks.is_analyzer_dir`) it stays that analyzer's head, now on an
    encoder trained further without it.

    Returns:
        One sentence naming the layers, what their heads are and what to do; ``None`` when every
        layer has annotated training sentences.

    Example:
        >>> counts = label_counts([])
        >>> untrained_note({"stance": counts["stance"]}, "org/encoder")[:62]
        'no training sentence annotates stance: its head is untrained ('
    """
    from training.base_checks import is_analyzer_dir

    untrained = [layer for layer, counts in labels.items() if not counts.sentences]
    if not untrained:
        return None
    names = " or ".join(LAYERS[layer][0] for layer in untrained)
    one = len(untrained) == 1
    its, heads = ("its head is", "the layer") if one else ("their heads are", "those layers")
    if base and is_analyzer_dir(base):
        state = (f"{its} still {'that' if one else 'those'} of {base}, which this run did not train (the encoder under "
                 f"{'it' if one else 'them'} was trained further)")  # fmt: skip
    else:
        state = f"{its} untrained (random initial weights): {'its' if one else 'their'} predictions mean nothing"
    sections = ", ".join(ANNOTATION_SECTIONS[layer] for layer in untrained)
    return (f"no training sentence annotates {names}: {state}. Annotate {heads} in the training data "
            f"(docs/annotation.md {sections}), or do not use {'its' if one else 'their'} outputs")  # fmt: skip


def _label_lines(labels: Mapping[str, LayerCounts], base: str = "", retuned: bool = False) -> list[str]:
    """The Limitations lines on untrained layers, labels without examples and the rarest labels."""
    untrained = [LAYERS[layer][0] for layer, counts in labels.items() if not counts.sentences]
    lines: list[str] = []
    if untrained and retuned:
        lines.append(f"- The training data annotate no {' or '.join(untrained)}: the n-gram models saw no example "
                     "of them; their heads are those of the model this one was retuned from.")  # fmt: skip
    elif note := untrained_note(labels, base):
        lines.append(f"- {note[0].upper()}{note[1:]}.")
    trained = [(n, label, LAYERS[layer][2]) for layer, counts in labels.items() if counts.sentences
               for label, n in counts.labels.items()]  # fmt: skip
    missing = [f"`{label}`" for n, label, _ in trained if not n]
    if missing:
        lines.append(f"- No training examples of {', '.join(missing)}: this run could not teach the model them.")
    rare = sorted((entry for entry in trained if entry[0]), key=lambda entry: entry[0])[:RARE_LABELS]
    if rare:
        named = ", ".join(f"`{label}` ({n} {unit[n != 1]})" for n, label, unit in rare)
        lines.append(f"- The labels with the fewest training examples: {named}; scores on them are the least reliable.")
    return lines


def data_stats(paths: Sequence[str | Path], data: Mapping[str, list[Any]] | None = None) -> dict[str, dict[str, int]]:
    """Count documents, sentences and labels per JSONL file (``data``: records already read, by path).

    Example:
        >>> import tempfile, os
        >>> p = os.path.join(tempfile.mkdtemp(), "a.jsonl")
        >>> _ = open(p, "w", encoding="utf-8").write('{"text": "x", "entities": [], "sentences": '
        ...     '[{"start": 0, "end": 1, "stance": "neutral", "events": []}]}\\n')
        >>> data_stats([p])[p]["stance_sentences"]
        1
    """
    stats: dict[str, dict[str, int]] = {}
    for path in paths:
        records = read_records(path, data)
        counts = {"documents": len(records), "sentences": 0, "entities": 0, "stance_sentences": 0,
                  "event_sentences": 0, "events": 0, "synthetic_documents": 0}  # fmt: skip
        for record in records:
            tasks = record_tasks(record)
            counts["sentences"] += len(record["sentences"])
            counts["entities"] += len(record["entities"]) if "ner" in tasks else 0
            counts["synthetic_documents"] += bool(record.get("synthetic"))
            for sentence in record["sentences"]:
                counts["stance_sentences"] += "stance" in tasks and sentence.get("stance") is not None
                has_events = "events" in tasks and sentence.get("events") is not None
                counts["event_sentences"] += has_events
                counts["events"] += len(sentence["events"]) if has_events else 0
        stats[str(path)] = counts
    return stats


def _prf(micro: Mapping[str, Any]) -> str:
    return f"{micro['precision']:.3f} / {micro['recall']:.3f} / {micro['f1']:.3f}"


def _layer_rows(part: Mapping[str, Any]) -> list[str]:
    rows: list[tuple[str, str, str]] = []
    for key, layer in (("ner", "NER (seqeval strict IOB2, words)"), ("entities", "entities (exact char span)")):
        if key in part:
            rows.append((layer, "micro P / R / F1", _prf(part[key]["micro"])))
            rows += [(layer, f"F1 {t} (n={v['support']})", f"{v['f1']:.3f}") for t, v in part[key]["per_type"].items()]
    for key in ("stance", "doc_stance"):
        if key in part:
            s = part[key]
            value = f"{s['accuracy']:.3f} / {s['macro_f1']:.3f} / {s['f_avg']:.3f}"
            rows.append((key, "accuracy / macro-F1 / F_avg(pro,anti)", value))
            rows += [(key, f"F1 {c} (n={v['support']})", f"{v['f1']:.3f}") for c, v in s["per_class"].items()]
    if "events" in part:
        e = part["events"]
        rows.append(("events", "micro F1 / macro F1", f"{e['micro']['f1']:.3f} / {e['macro_f1']:.3f}"))
        per_type = e["per_type"].items()
        rows += [("events", f"F1 {t} (n={v['support']})", f"{v['f1']:.3f}") for t, v in per_type if v["support"]]
    if "doc_events" in part:
        d, layer = part["doc_events"], "document events (types per article)"
        rows.append((layer, "micro P / R / F1", _prf(d["micro"])))
        rows += [(layer, f"F1 {t} (n={v['support']})", f"{v['f1']:.3f}") for t, v in d["per_type"].items()]
    return [f"| {layer} | {metric} | {value} |" for layer, metric, value in rows]


def _metrics_section(name: str, scores: Mapping[str, Any]) -> list[str]:
    lines = [f"### {name}", "", f"Data: `{scores.get('data')}`; {scores.get('n_documents')} documents.", ""]
    for mode in ("sentences", "documents"):
        if scores.get(mode):
            lines += [f"**{mode} mode**", "", "| layer | metric | value |", "|---|---|---|"]
            lines += [*_layer_rows(scores[mode]), ""]
    return lines


COMPARED = (
    ("NER micro-F1 (seqeval)", "sentences", ("ner", "micro", "f1")),
    ("stance macro-F1", "sentences", ("stance", "macro_f1")),
    ("stance F_avg(pro, anti)", "sentences", ("stance", "f_avg")),
    ("events micro-F1", "sentences", ("events", "micro", "f1")),
    ("events macro-F1", "sentences", ("events", "macro_f1")),
    ("entities micro-F1, full analyze()", "documents", ("entities", "micro", "f1")),
    ("stance macro-F1, full analyze()", "documents", ("stance", "macro_f1")),
    ("events micro-F1, full analyze()", "documents", ("events", "micro", "f1")),
    ("document events micro-F1, full analyze()", "documents", ("doc_events", "micro", "f1")),
)


def _lookup(scores: Mapping[str, Any], mode: str, path: Sequence[str]) -> float | None:
    value: Any = scores.get(mode, {})
    for key in path:
        value = value.get(key) if isinstance(value, Mapping) else None
    return float(value) if isinstance(value, (int, float)) else None


def comparison_section(model: Mapping[str, Any], baseline: Mapping[str, Any]) -> list[str]:
    """A table of the model against the keyword/gazetteer baseline on the same dev file.

    Example:
        >>> m = {"sentences": {"stance": {"macro_f1": 0.7}}}
        >>> b = {"sentences": {"stance": {"macro_f1": 0.5}}}
        >>> comparison_section(m, b)[4]
        '| stance macro-F1 | 0.700 | 0.500 | +0.200 |'
    """
    lines = [
        "### Compared with a keyword/gazetteer baseline (dev)",
        "",
        "| metric | this model | baseline | difference |",
        "|---|---|---|---|",
    ]
    for name, mode, path in COMPARED:
        ours, theirs = _lookup(model, mode, path), _lookup(baseline, mode, path)
        if ours is not None and theirs is not None:
            lines.append(f"| {name} | {ours:.3f} | {theirs:.3f} | {ours - theirs:+.3f} |")
    lines += [
        "",
        "The baseline (`training/baseline.py`) is fitted on the same training records: a gazetteer of every "
        "annotated name and, per stance class and event type, the words that predict it in training.",
        "",
    ]
    return lines


def _header(settings: AnalyzerSettings, config: Mapping[str, Any]) -> list[str]:
    thresholds = ", ".join(f"{k} {v:.2f}" for k, v in settings.event_thresholds.items())
    return [
        *front_matter(settings),
        f"# {config.get('name', 'arabnews-nlp analyzer')}",
        "",
        settings.description or "An arabnews-nlp analyzer.",
        "",
        "## Model",
        "",
        "One shared encoder with three heads: IOB2 NER, sentence stance toward the US/coalition military presence "
        "in Iraq and Syria, and multi-label conflict events "
        f"(schema version {settings.schema_version}).",
        "",
        f"- Base encoder: `{settings.base_model}`",
        f"- Window: {settings.max_length} tokens, stride {settings.stride}",
        f"- Event thresholds (tuned on dev): {thresholds}",
        f"- Stance probability factors (tuned on dev): {settings.stance_weights or 'none'}",
        f"- NER post-processing (chosen on dev): entities scored below {settings.ner_min_score:.2f} dropped; "
        f"gazetteer of {len(settings.gazetteer)} names from the training annotations, mode `{settings.gazetteer_mode}`",
        *_ngram_lines(settings),
        "- Because thresholds and post-processing were chosen on dev, dev scores are slightly optimistic; "
        "the other evaluation files were never used for any choice.",
        "",
        "## Labels",
        "",
        f"- Entities: {', '.join(ENTITY_TYPES)}",
        f"- Stance: {', '.join(STANCE_LABELS)}",
        f"- Events: {', '.join(EVENT_TYPES)}",
        "",
    ]


def _ngram_lines(settings: AnalyzerSettings) -> list[str]:
    """The card's line on the linear n-gram models, if the settings blend them."""
    if not settings.ngram:
        return []
    model, ngram = settings.ngram_model, settings.ngram
    sizes = f" ({len(model.keys):,} sentence and {len(model.tag_keys):,} tagger features)" if model is not None else ""
    clusters = ""
    if model is not None and model.clusters is not None:
        counts = ", ".join(str(int(k) + 1) for k in model.clusters.ids.max(axis=0))
        clusters = f" that also reads k-means clusters ({counts}) of {len(model.clusters.keys):,} words' skip-gram vectors"
    tagger = "a linear-chain CRF word tagger" if model is not None and model.tag_chain is not None else "a maximum-entropy word tagger"
    events = " (with word-cluster features for the event regressions: the 1-2-grams of those clusters)" if ngram.get("event_clusters") else ""
    return [
        f"- Linear n-gram models (`arabnews_nlp.ngram`){sizes}, fitted on the training records: TF-IDF logistic "
        f"regressions for stance and events over word {ngram['word_n'][0]}-{ngram['word_n'][1]}-grams and character "
        f"{ngram['char_n'][0]}-{ngram['char_n'][1]}-grams, and {tagger} for NER{clusters}{events}; blended into "
        f"the encoder's probabilities with weights chosen on dev: stance {ngram['stance_weight']}, events "
        f"{ngram['events_weight']}, NER {ngram.get('ner_weight', 0.0)} (0: encoder only, 1: n-gram model only)"
    ]


def render_card(
    settings: AnalyzerSettings,
    config: Mapping[str, Any],
    stats: Mapping[str, Mapping[str, int]],
    metrics: Mapping[str, Mapping[str, Any]],
    commands: Sequence[str],
    labels: Mapping[str, LayerCounts] | None = None,
    retuned: bool = False,
    ner_extra_used: tuple[int, int] | None = None,
) -> str:
    """Return the card's Markdown.

    Args:
        settings: The saved model's settings (base model, thresholds, versions).
        config: The fine-tuning config (as a dict).
        stats: :func:`data_stats` of the training and evaluation files.
        metrics: Name (``dev``, a test file) -> the scores JSON written by the evaluation.
        commands: The commands that produced the model and the scores, in order.
        labels: :func:`label_counts` of the training sentences (:func:`training_label_counts`), for the Limitations.
        retuned: Made by ``python -m training retune`` (see :func:`limitations`).
        ner_extra_used: ``ner_extra`` sentences used, of how many (see :func:`limitations`).

    Example:
        >>> settings = AnalyzerSettings(trained=True, base_model="enc")
        >>> "python -m training finetune" in render_card(settings, {}, {}, {}, ["python -m training finetune"])
        True
    """
    columns = ["documents", "sentences", "entities", "stance sentences", "event sentences", "events", "synthetic docs"]
    lines = _header(settings, config)
    lines += ["## Data", "", "| file | " + " | ".join(columns) + " |", "|---" * (len(columns) + 1) + "|"]
    lines += [f"| `{path}` | " + " | ".join(str(v) for v in counts.values()) + " |" for path, counts in stats.items()]
    lines += ["", "## Evaluation", "", "Read from the metrics files written by the evaluation (commands below).", ""]
    if "dev" in metrics and "baseline_dev" in metrics:
        lines += comparison_section(metrics["dev"], metrics["baseline_dev"])
    for name, scores in metrics.items():
        title = "keyword/gazetteer baseline on dev" if name == "baseline_dev" else name
        lines += _metrics_section(title, scores)
    config_json = json.dumps(dict(config), ensure_ascii=False, indent=2)
    what = RETUNE_CONFIG if retuned else "Fine-tuning config:"
    lines += ["## How it was made", "", "```bash", *commands, "```", "", what, ""]
    lines += ["```json", config_json, "```", "", "## Limitations", ""]
    lines += [*limitations(config, stats, labels, retuned, ner_extra_used), "", *LICENCE, ""]
    lines += ["## Versions", ""]
    lines += [f"- {name} {version}" for name, version in sorted(settings.versions.items())]
    return "\n".join(lines) + "\n"


def write_model_card(
    model_dir: str | Path,
    config: Mapping[str, Any],
    data_files: Sequence[str | Path],
    metrics_files: Mapping[str, str | Path],
    commands: Sequence[str],
    retuned: bool = False,
    data: Mapping[str, list[Any]] | None = None,
) -> Path:
    """Write ``README.md`` into ``model_dir`` from its settings and the metrics files on disk.

    Args:
        model_dir: A saved model directory (its ``arabnews_nlp.json`` is read).
        config: The fine-tuning config (the sentences training used of its ``train`` and
            ``ner_extra`` files are counted for the Limitations: :func:`training_label_counts`).
        data_files: Training and evaluation JSONL files, counted for the card.
        metrics_files: Name -> path of a scores JSON (``python -m training evaluate --out``).
        commands: The commands that produced the model and the scores.
        retuned: Made by ``python -m training retune`` (see :func:`limitations`).
        data: The data files' records as the run read them (path -> records); a file not in it
            is read here.

    Returns:
        The card's path.

    Example:
        >>> # write_model_card("models/demo", config.to_dict(), [...], {"dev": "models/demo/eval_dev.json"}, [cmd])
    """
    directory = Path(model_dir)
    settings = AnalyzerSettings.load(directory)
    metrics = {name: json.loads(Path(path).read_text(encoding="utf-8")) for name, path in metrics_files.items()}
    labels, extra_used = training_label_counts(config, retuned, data)
    card = render_card(settings, config, data_stats(data_files, data), metrics, commands, labels, retuned, extra_used)
    path = directory / "README.md"
    path.write_text(card, encoding="utf-8")
    return path


def training_label_counts(
    config: Mapping[str, Any], retuned: bool = False, data: Mapping[str, list[Any]] | None = None
) -> tuple[dict[str, LayerCounts], tuple[int, int]]:
    """:func:`label_counts` of the sentences the run trained on, and how many ``ner_extra`` sentences those hold.

    The sentences are those :func:`training.training_set.training_sentences` trains on
    (:func:`training.training_set.training_sentence_parts`): the gold sentences of ``train`` (without
    synthetic documents when ``exclude_synthetic``) and the seeded sample of the ``ner_extra``
    ones that ``ner_extra_max_sentences`` and ``ner_extra_ratio`` keep. A retuned model
    (``retuned``) trained nothing; its n-gram tagger was fitted on every ``ner_extra`` sentence,
    so all of them count.

    Args:
        config: The fine-tuning config (as a dict, :meth:`training.config.FinetuneConfig.to_dict`).
        retuned: Made by ``python -m training retune``.
        data: The data files' records when already read (path -> records).

    Returns:
        The counts, and ``(ner_extra sentences counted, ner_extra sentences in the files)``.

    Example:
        >>> counts, extra = training_label_counts({"train": []})
        >>> counts["ner"].sentences, extra
        (0, (0, 0))
    """
    from training.config import FinetuneConfig
    from training.training_set import training_sentence_parts  # torch: imported when a card is written

    main, kept, extra = training_sentence_parts(FinetuneConfig.from_dict(config), data)
    counted = extra if retuned else kept
    return label_counts([*main, *counted]), (len(counted), len(extra))
