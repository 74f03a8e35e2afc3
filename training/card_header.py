"""The top of a model card: the Hub front matter, the title, the Model section and the Labels.

Example:
    >>> from arabnews_nlp.settings import AnalyzerSettings
    >>> lines = header_lines(AnalyzerSettings(trained=True, base_model="enc"), {"name": "demo"})
    >>> "# demo" in lines, "- Base encoder: `enc`" in lines
    (True, True)
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from arabnews_nlp.model_card import front_matter
from arabnews_nlp.schema import ENTITY_TYPES, EVENT_TYPES, STANCE_LABELS
from arabnews_nlp.settings import AnalyzerSettings


def header_lines(settings: AnalyzerSettings, config: Mapping[str, Any]) -> list[str]:
    """The card from its front matter to the Labels section: what the model is and how it was set up on dev."""
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

