"""The model card (``README.md``) of a fine-tuned model, written from files, never by hand.

Every number in the card is read from the metrics JSON files that the evaluation wrote
(``python -m training evaluate --out …``, or the same code run at the end of ``finetune``), and
the commands that produced the model and the scores are quoted verbatim. This module puts the
card together; its parts are :mod:`training.card_header` (front matter, model, labels),
:mod:`training.card_tables` (data and evaluation tables), :mod:`training.card_limitations` and,
for the counts they show, :mod:`training.card_counts`.

Example:
    >>> settings = AnalyzerSettings(trained=True, base_model="enc")
    >>> render_card(settings, {}, {}, {}, []).splitlines()[-2:]
    ['## Versions', '']
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from arabnews_nlp.model_card import LICENCE
from arabnews_nlp.settings import AnalyzerSettings
from training.card_counts import LayerCounts, data_stats, training_label_counts
from training.card_header import header_lines
from training.card_limitations import limitations
from training.card_tables import data_section, evaluation_section

RETUNE_CONFIG = ("Retune config (its data files, n-gram and dev-choice settings were used; its training settings "
                 "were not: `retune` trains nothing):")
"""What the card of a retuned model calls its config."""


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
        stats: :func:`~training.card_counts.data_stats` of the training and evaluation files.
        metrics: Name (``dev``, a test file) -> the scores JSON written by the evaluation.
        commands: The commands that produced the model and the scores, in order.
        labels: :func:`~training.card_counts.label_counts` of the training sentences
            (:func:`~training.card_counts.training_label_counts`), for the Limitations.
        retuned: Made by ``python -m training retune`` (see :func:`~training.card_limitations.limitations`).
        ner_extra_used: ``ner_extra`` sentences used, of how many (see
            :func:`~training.card_limitations.limitations`).

    Example:
        >>> settings = AnalyzerSettings(trained=True, base_model="enc")
        >>> "python -m training finetune" in render_card(settings, {}, {}, {}, ["python -m training finetune"])
        True
    """
    lines = [*header_lines(settings, config), *data_section(stats), *evaluation_section(metrics)]
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
            ``ner_extra`` files are counted for the Limitations:
            :func:`~training.card_counts.training_label_counts`).
        data_files: Training and evaluation JSONL files, counted for the card.
        metrics_files: Name -> path of a scores JSON (``python -m training evaluate --out``).
        commands: The commands that produced the model and the scores.
        retuned: Made by ``python -m training retune`` (see :func:`~training.card_limitations.limitations`).
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

