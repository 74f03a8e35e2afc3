"""The Limitations section of a model card: what the run's data, trained layers and rarest labels imply.

Example:
    >>> _plural(1, "document"), _plural(2, "document")
    ('1 document', '2 documents')
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from training.card_counts import LAYERS, LayerCounts

RARE_LABELS = 3  # how many of the least-trained labels the Limitations name

ALWAYS_TRUE = (
    "- The stance target is fixed (the US/coalition military presence in Iraq and Syria); stance "
    "toward anything else is `neutral` by design.",
    "- Modern Standard Arabic news only; dialects, social media and transliterated text are out of domain.",
    "- Predictions are not facts: do not use them to make decisions about people.",
)
SYNTHETIC = "- Sentences marked `synthetic` were written for training only and never scored."


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
        stats: :func:`~training.card_counts.data_stats` of the data files.
        labels: :func:`~training.card_counts.label_counts` of the training sentences; without them the
            card names no layer or label.
        retuned: The model was made by ``python -m training retune``: the training files fitted
            only the n-gram models and the choices, not the encoder and heads.
        ner_extra_used: How many ``ner_extra`` sentences training used, of how many in the files
            (:func:`~training.card_counts.training_label_counts`); the card then says whether
            ``labels`` count a sample.

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
        >>> from training.card_counts import label_counts
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

