"""The Hugging Face pipeline wrappers: accepted by ``pipeline()``, weights shared, same answers."""

from __future__ import annotations

import logging
from typing import Any

import pytest
import torch

from arabnews_nlp.encoding import encode_span, special_token_ids
from arabnews_nlp.errors import ConfigError
from arabnews_nlp.hf_pipelines import (
    AnalyzerForSequenceClassification,
    AnalyzerForTokenClassification,
    build_pipelines,
    pipeline_tokenizer,
    run_pipelines,
)
from arabnews_nlp.schema import EVENT_TYPES, NER_TAGS, STANCE_LABELS

# Short sentences: one 16-token window each with the tiny settings, where both sides must agree.
SHORT = [
    "قال السوداني في بغداد.",
    "أعلنت وزارة الدفاع الأميركية هجوما.",
    "حذرت كتائب حزب الله القوات الأميركية.",
    "نفى البنتاغون وجود خطط لسحب القوات.",
    "وأكد البرلمان العراقي قراره.",
    "قاعدة عين الأسد تعرضت لهجوم.",
    "مطار بغداد الدولي عام 2024.",
    "قوات التحالف الدولي في العراق وسوريا.",
]


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def test_wrappers_share_the_weights_and_carry_the_task_labels(tiny_analyzer: Any) -> None:
    model = tiny_analyzer.model
    before = model.encoder.embeddings.word_embeddings.weight.clone()
    ner = AnalyzerForTokenClassification.from_analyzer(model)
    stance = AnalyzerForSequenceClassification.from_analyzer(model, "stance")
    events = AnalyzerForSequenceClassification.from_analyzer(model, "events")
    for wrapper in (ner, stance, events):
        assert wrapper.analyzer is model
    assert torch.equal(model.encoder.embeddings.word_embeddings.weight, before)  # not re-initialised
    assert [ner.config.id2label[i] for i in range(len(NER_TAGS))] == list(NER_TAGS)
    assert [stance.config.id2label[i] for i in range(len(STANCE_LABELS))] == list(STANCE_LABELS)
    assert [events.config.id2label[i] for i in range(len(EVENT_TYPES))] == list(EVENT_TYPES)
    assert events.config.problem_type == "multi_label_classification"
    assert model.config.id2label[0] == NER_TAGS[0]  # the analyzer's own config is unchanged
    batch = {"input_ids": torch.tensor([[2, 10, 11, 3]]), "attention_mask": torch.ones(1, 4, dtype=torch.long)}
    with torch.inference_mode():
        full = model(**batch)
        assert torch.equal(ner(**batch).logits, full.ner_logits)
        assert torch.equal(stance(**batch).logits, full.stance_logits)
        assert torch.equal(events(**batch).logits, full.event_logits)


def test_unknown_sequence_task_is_a_config_error(tiny_analyzer: Any) -> None:
    with pytest.raises(ConfigError, match="task must be one of"):
        AnalyzerForSequenceClassification.from_analyzer(tiny_analyzer.model, "ner")


def test_pipeline_tokenizer_adds_cls_and_sep(tiny_analyzer: Any) -> None:
    tokenizer = pipeline_tokenizer(tiny_analyzer.tokenizer, 16)
    first, last = special_token_ids(tiny_analyzer.tokenizer)
    ids = tokenizer("قال السوداني")["input_ids"]
    assert ids[0] == first and ids[-1] == last
    assert tokenizer.model_max_length == 16
    assert tiny_analyzer.tokenizer("قال")["input_ids"][0] != first  # the original is left alone


def test_pipelines_build_without_the_unsupported_model_error(tiny_analyzer: Any) -> None:
    handler = _Records()
    logger = logging.getLogger("transformers.pipelines.base")
    logger.addHandler(handler)
    try:
        build_pipelines(tiny_analyzer.model, tiny_analyzer.tokenizer, tiny_analyzer.settings)
    finally:
        logger.removeHandler(handler)
    assert not [m for m in handler.messages if "is not supported" in m]
    assert not logger.filters  # the filter is removed again


def test_pipelines_agree_with_the_analyzer_on_single_window_sentences(tiny_analyzer: Any) -> None:
    # The pipelines take each word's argmax tag; the analyzer decodes the best valid IOB2 sequence
    # (Viterbi) on top of the same probabilities. Compare the shared part: the model's outputs.
    tiny_analyzer.settings.ner_decoding = "argmax"
    settings = tiny_analyzer.settings
    single = [s for s in SHORT if len(encode_span(s, 0, len(s), tiny_analyzer.tokenizer, settings).windows) == 1]
    assert len(single) >= 6
    pipes = build_pipelines(tiny_analyzer.model, tiny_analyzer.tokenizer, settings)
    found_entities = found_events = 0
    for sentence, theirs in zip(single, run_pipelines(pipes, single)):
        ours = tiny_analyzer.analyze(sentence)
        assert len(ours.sentences) == 1
        assert [(e.start, e.end, e.label) for e in ours.entities] == [e[:3] for e in theirs.entities]
        assert [e.score for e in ours.entities] == pytest.approx([e[3] for e in theirs.entities], abs=1e-5)
        assert ours.sentences[0].stance.label == theirs.stance
        assert ours.sentences[0].stance.score == pytest.approx(theirs.stance_score, abs=1e-5)
        assert [e.label for e in ours.sentences[0].events] == list(theirs.events)
        found_entities += len(ours.entities)
        found_events += len(theirs.events)
    assert found_entities and found_events  # the comparison is not vacuous


def test_entity_offsets_map_back_through_normalisation(tiny_analyzer: Any) -> None:
    tiny_analyzer.settings.ner_decoding = "argmax"  # compare offsets, not decoders (see above)
    pipes = build_pipelines(tiny_analyzer.model, tiny_analyzer.tokenizer, tiny_analyzer.settings)
    sentence = "قالَ السودانيُّ في بغدادَ."  # diacritics: removed before the pipelines, offsets restored
    ours = tiny_analyzer.analyze(sentence)
    theirs = run_pipelines(pipes, [sentence])[0]
    for start, end, _, _ in theirs.entities:
        assert sentence[start:end].strip() == sentence[start:end] and end <= len(sentence)
    assert {e.start for e in ours.entities} == {e[0] for e in theirs.entities}


def test_a_numpy_analyzer_is_refused_with_the_fix(tiny_model_dir: Any) -> None:
    from arabnews_nlp import Analyzer

    analyzer = Analyzer.from_pretrained(tiny_model_dir, backend="numpy")
    with pytest.raises(ConfigError, match="backend='torch'"):
        build_pipelines(analyzer.model, analyzer.tokenizer, analyzer.settings)


def test_the_pipelines_run_where_the_shared_model_is(tiny_analyzer: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    import torch

    from arabnews_nlp.modeling import AnalyzerModel

    model = tiny_analyzer.model
    pipes = build_pipelines(model, tiny_analyzer.tokenizer, tiny_analyzer.settings, device="cpu")
    assert pipes.ner.device == torch.device("cpu") == model.device
    # a pipeline moves its model to its device, and the wrappers share the analyzer's weights: a GPU
    # analyzer given the old default (device="cpu") went to the CPU with them, silently
    monkeypatch.setattr(AnalyzerModel, "device", property(lambda self: torch.device("cuda", 0)))
    for device in ("cpu", "cuda:1", torch.device("cpu")):
        with pytest.raises(ConfigError, match=r"share the analyzer's weights, which are on cuda:0.*device=None"):
            build_pipelines(model, tiny_analyzer.tokenizer, tiny_analyzer.settings, device=device)
    assert next(model.parameters()).device.type == "cpu"  # refused before anything moved


def test_run_pipelines_refuses_one_string_and_accepts_no_sentences(tiny_analyzer: Any) -> None:
    model, tokenizer, settings = tiny_analyzer.model, tiny_analyzer.tokenizer, tiny_analyzer.settings
    pipes = build_pipelines(model, tokenizer, settings)
    # A str is a Sequence[str] of characters: it must not be read as one sentence per character.
    with pytest.raises(TypeError, match=r"list of sentences.*\[text\]"):
        run_pipelines(pipes, "قال السوداني في بغداد.")
    assert run_pipelines(pipes, []) == []
