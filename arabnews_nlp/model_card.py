"""The model card (``README.md``) written into every saved model directory.

Example:
    >>> from arabnews_nlp.settings import AnalyzerSettings
    >>> card = render_model_card(AnalyzerSettings(description="test"))
    >>> "UNTRAINED" in card
    True
"""

from __future__ import annotations

from typing import Any

from arabnews_nlp.model_source import is_hub_id
from arabnews_nlp.settings import AnalyzerSettings

_UNTRAINED_WARNING = (
    "> **UNTRAINED PLACEHOLDER.** The weights are not trained: its predictions carry no information. "
    "It exists only so that the library, the CLI and the packaging can be wired and tested. "
    "Train a real model with `python -m training finetune` (see the training docs)."
)

LICENCE = (
    "## Licence",
    "",
    "No licence is set for these weights: they carry the terms of the data they were trained on",
    "(ANERcorp, which the default model's NER training reads, is CC BY-SA 4.0), which arabnews-nlp's",
    "code licence (Apache-2.0) does not cover. Set `license` in the front matter before publishing.",
)


def front_matter(settings: AnalyzerSettings) -> list[str]:
    """The card's YAML front matter, the metadata the Hugging Face hub reads.

    ``base_model`` is given only when the model was fine-tuned from a hub id: a local path means
    nothing on the hub. ``license: other`` says the card's Licence section explains it.

    Example:
        >>> "base_model: aubmindlab/bert-base-arabertv02" in front_matter(
        ...     AnalyzerSettings(base_model="aubmindlab/bert-base-arabertv02"))
        True
        >>> any(line.startswith("base_model") for line in front_matter(AnalyzerSettings(base_model="../runs/enc")))
        False
    """
    lines = [
        "---",
        "language: ar",
        "license: other",
        "library_name: arabnews-nlp",
        "pipeline_tag: token-classification",
        "tags: [token-classification, text-classification, arabic, news, ner, stance-detection, event-detection]",
    ]
    if settings.base_model and is_hub_id(settings.base_model):
        lines.append(f"base_model: {settings.base_model}")
    return [*lines, "---", ""]


def _metrics_lines(metrics: dict[str, Any]) -> list[str]:
    if not metrics:
        return ["No evaluation recorded (`python -m training evaluate` writes scores here)."]
    lines = ["| metric | value |", "|---|---|"]
    for name, value in sorted(metrics.items()):
        shown = f"{value:.4f}" if isinstance(value, float) else str(value)
        lines.append(f"| {name} | {shown} |")
    return lines


def render_model_card(settings: AnalyzerSettings, title: str = "arabnews-nlp analyzer") -> str:
    """Return a Markdown model card for a model with ``settings``.

    Args:
        settings: The model's settings (description, labels, metrics, versions).
        title: The card's heading.

    Returns:
        The card text.

    Example:
        >>> render_model_card(AnalyzerSettings(trained=True)).startswith("---")
        True
    """
    labels = settings.labels
    entity_types = sorted({tag.split("-", 1)[1] for tag in labels["ner"] if "-" in tag})
    versions = ", ".join(f"{name} {version}" for name, version in sorted(settings.versions.items()))
    lines = [*front_matter(settings), f"# {title}", ""]
    if not settings.trained:
        lines += [_UNTRAINED_WARNING, ""]
    lines += [
        settings.description or "An arabnews-nlp analyzer model.",
        "",
        "One encoder with three heads: named entities, sentence stance toward the US/coalition",
        "military presence in Iraq and Syria, and conflict events (schema version "
        f"{settings.schema_version}).",
        "",
        "## Use",
        "",
        "```python",
        "from arabnews_nlp import Analyzer",
        "",
        'analyzer = Analyzer.from_pretrained("path/to/this/directory")',
        'print(analyzer.analyze("قال السوداني إن بغداد تريد خروج قوات التحالف.").to_dict())',
        "```",
        "",
        "## Labels",
        "",
        f"- entities: {', '.join(entity_types)}",
        f"- stance: {', '.join(labels['stance'])}",
        f"- events: {', '.join(labels['events'])}",
        "",
        "## Evaluation",
        "",
        *_metrics_lines(settings.metrics),
        "",
        "## Details",
        "",
        f"- trained: {settings.trained}",
        f"- base model: {settings.base_model or 'none'}",
        f"- window: {settings.max_length} tokens, stride {settings.stride}",
        f"- saved with: {versions or 'unknown'}",
        "",
        *LICENCE,
        "",
    ]
    return "\n".join(lines)
