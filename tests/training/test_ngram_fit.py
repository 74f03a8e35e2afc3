"""Fitting the n-gram model on training records and choosing its blend weights on dev."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from arabnews_nlp.errors import ConfigError
from arabnews_nlp.ngram import NgramModel
from arabnews_nlp.schema import EVENT_TYPES, NER_TAGS, STANCE_LABELS
from arabnews_nlp.tasks.ner import tag_words
from arabnews_nlp.text.words import split_words
from arabnews_nlp.settings import AnalyzerSettings
from training.tuning import choose_ngram_blend, tune_stance_weights
from training.ngram import blend_predictions, fit_ngram, gold_spans, ngram_outputs, tagged_words
from training.predict import SpanPrediction


def _copies(records: list[dict[str, Any]], n: int) -> list[dict[str, Any]]:
    return [dict(copy.deepcopy(record), id=f"{record['id']}-{i}") for i in range(n) for record in records]


def test_fit_learns_the_training_sentences(gold_records: list[dict[str, Any]]) -> None:
    records = _copies(gold_records, 3)
    model = fit_ngram(records, STANCE_LABELS, EVENT_TYPES, NER_TAGS)
    texts, gold = zip(*gold_spans(gold_records, "stance"))
    predicted = [STANCE_LABELS[i] for i in model.sentence_probabilities(list(texts))[0].argmax(axis=1)]
    assert predicted == list(gold)
    events = model.sentence_probabilities(list(texts))[1]
    found = [{EVENT_TYPES[j] for j in np.flatnonzero(row > 0.5)} for row in events]
    assert found == [set(g) for _, g in gold_spans(gold_records, "events")]
    # a type never seen in training is never predicted
    assert events[:, EVENT_TYPES.index("WITHDRAWAL_TALKS")].max() < 1e-6
    # the tagger learns the training sentences' tags (also from NER-only records)
    ner_only = [dict(record, tasks=["ner"]) for record in _copies(gold_records, 2)]
    model = fit_ngram(records, STANCE_LABELS, EVENT_TYPES, NER_TAGS, ner_records=ner_only)
    for words, gold_tags in tagged_words(gold_records):
        rows = model.tag_probabilities(words).tolist()
        assert [tag for tag, _ in tag_words(rows, NER_TAGS)] == gold_tags


def test_gold_spans_follow_the_annotated_tasks(gold_records: list[dict[str, Any]]) -> None:
    ner_only = dict(gold_records[0], tasks=["ner"])
    assert gold_spans([ner_only], "stance") == []
    assert len(gold_spans(gold_records, "stance")) == 4


def test_parts_without_two_classes_give_no_information(gold_records: list[dict[str, Any]], caplog: Any) -> None:
    # NER-only annotations: the stance and event parts have nothing to learn, the tagger does
    ner_only = [dict(record, tasks=["ner"]) for record in _copies(gold_records, 3)]
    model = fit_ngram(ner_only, STANCE_LABELS, EVENT_TYPES, NER_TAGS)
    assert "n-gram stance model: the training sentences have no stance" in caplog.text
    stance, events = model.sentence_probabilities(["خروج القوات الأمريكية", ""])
    np.testing.assert_allclose(stance, 1 / len(STANCE_LABELS), atol=1e-6)
    assert events.max() < 1e-6 and len(model.keys) == 0
    words, gold_tags = tagged_words(gold_records)[0]
    assert [tag for tag, _ in tag_words(model.tag_probabilities(words).tolist(), NER_TAGS)] == gold_tags
    # stance and events without NER, and neutral stance only: no tagger, only the label seen
    no_ner = [dict(record, tasks=["stance", "events"]) for record in _copies(gold_records, 3)]
    for record in no_ner:
        record["sentences"] = [dict(sentence, stance="neutral") for sentence in record["sentences"]]
    for tagger in ("maxent", "crf"):
        model = fit_ngram(no_ner, STANCE_LABELS, EVENT_TYPES, NER_TAGS, tagger=tagger)
        assert len(model.tag_keys) == 0 and model.tag_chain is None
        np.testing.assert_allclose(model.tag_probabilities(["في", "بغداد"]), 1 / len(NER_TAGS), atol=1e-6)
        stance = model.sentence_probabilities(["خروج القوات"])[0][0]
        assert stance[STANCE_LABELS.index("neutral")] > 0.999
    assert "n-gram word tagger: the training words have no NER annotation" in caplog.text
    assert "the stance label 'neutral' only" in caplog.text
    # annotated for NER but without a single entity: the tagger says O
    no_entity = [dict(record, entities=[]) for record in _copies(gold_records, 2)]
    rows = fit_ngram(no_entity, STANCE_LABELS, EVENT_TYPES, NER_TAGS).tag_probabilities(["في", "بغداد"])
    assert rows[:, NER_TAGS.index("O")].min() > 0.999


def _dev(records: list[dict[str, Any]], stance_probs: list[float]) -> list[tuple[Any, Any, SpanPrediction]]:
    """Predictions of an encoder that says neutral, no event and no entity for every sentence."""
    dev = []
    outside = [1.0 if tag == "O" else 0.0 for tag in NER_TAGS]
    for r in records:
        for s in r["sentences"]:
            words = split_words(r["text"], s["start"], s["end"])
            decoded = [("O", 1.0)] * len(words)
            dev.append((r, s, SpanPrediction(words, ["O"] * len(words), list(stance_probs), [0.01] * len(EVENT_TYPES),
                                             decoded, [outside] * len(words))))  # fmt: skip
    return dev


def test_blend_weight_is_chosen_on_dev(gold_records: list[dict[str, Any]]) -> None:
    model = fit_ngram(_copies(gold_records, 3), STANCE_LABELS, EVENT_TYPES, NER_TAGS)
    settings = AnalyzerSettings()
    settings.ngram_model = model
    # an encoder that always says neutral: the n-gram model must get weight
    blended = choose_ngram_blend(settings, _dev(gold_records, [0.1, 0.1, 0.8]))
    assert settings.ngram["stance_weight"] > 0 and settings.ngram["events_weight"] > 0
    assert settings.ngram["ner_weight"] > 0
    assert [p.tags for _, _, p in blended] == [tags for _, tags in tagged_words(gold_records)]
    again = AnalyzerSettings()
    again.ngram_model = model
    choose_ngram_blend(again, _dev(gold_records, [0.1, 0.1, 0.8]), shared_thresholds=False, stance_factors=True)
    assert again.ngram["stance_weight"] > 0 and again.ngram["events_weight"] > 0
    labels, factors = settings.labels["stance"], tune_stance_weights(settings, blended)
    assert [p.stance(labels, factors) for _, _, p in blended] == [s["stance"] for _, s, _ in blended]

    # an n-gram model that knows nothing (uniform probabilities) gets weight 0
    useless = NgramModel(model.config, model.keys, model.idf, np.zeros_like(model.stance_coef),
                         np.zeros_like(model.stance_bias), np.zeros_like(model.event_coef),
                         np.full_like(model.event_bias, -30.0), model.tag_keys, np.zeros_like(model.tag_coef),
                         np.asarray([5.0 if tag == "O" else 0.0 for tag in NER_TAGS], np.float32))  # fmt: skip
    settings = AnalyzerSettings()
    settings.ngram_model = useless
    choose_ngram_blend(settings, _dev(gold_records, [0.1, 0.1, 0.8]))
    assert settings.ngram["stance_weight"] == 0.0 and settings.ngram["events_weight"] == 0.0
    assert settings.ngram["ner_weight"] == 0.0


def test_blending_precomputed_outputs_is_blending_afresh(gold_records: list[dict[str, Any]]) -> None:
    model = fit_ngram(_copies(gold_records, 3), STANCE_LABELS, EVENT_TYPES, NER_TAGS, tagger="crf")
    settings = AnalyzerSettings()
    dev = _dev(gold_records, [0.2, 0.3, 0.5])
    outputs = ngram_outputs(dev, model)
    for weights in ((0.0, 0.0, 0.0), (0.5, 0.25, 0.75), (1.0, 1.0, 1.0)):
        assert blend_predictions(dev, model, settings, *weights, outputs) == blend_predictions(dev, model, settings, *weights)
    with pytest.raises(ValueError, match="outputs has 1 entries for"):
        blend_predictions(dev, model, settings, 0.5, 0.5, 0.5, outputs[:1])


def _retune_config(tmp_path: Any, tiny_model_dir: Any, gold_file: Any, name: str, **extra: Any) -> str:
    """A retune config file whose output is ``tmp_path / name``."""
    import json

    path = tmp_path / f"{name}.json"
    path.write_text(json.dumps({
        "base": str(tiny_model_dir), "train": [str(gold_file)], "dev": str(gold_file), "ngram": True,
        "output_dir": str(tmp_path / name), "run_dir": str(tmp_path / f"{name}-run"), "max_length": 24,
        "stride": 6, **extra,
    }), encoding="utf-8")  # fmt: skip
    return str(path)


def test_retune_refits_ngrams_and_keeps_the_encoder(tmp_path: Any, tiny_model_dir: Any, gold_file: Any) -> None:
    import json

    from safetensors.numpy import load_file

    from training.retune import main

    config = _retune_config(tmp_path, tiny_model_dir, gold_file, "model")
    assert main(["retune", "--model", str(tiny_model_dir), "--config", config]) == 0
    out = tmp_path / "model"
    assert (out / "ngram.safetensors").is_file()
    settings = json.loads((out / "arabnews_nlp.json").read_text(encoding="utf-8"))
    assert {"stance_weight", "events_weight", "ner_weight"} <= set(settings["ngram"]) and settings["metrics"]
    before, after = load_file(str(tiny_model_dir / "model.safetensors")), load_file(str(out / "model.safetensors"))
    assert before.keys() == after.keys()
    for name in before:
        np.testing.assert_allclose(after[name].astype(np.float32), before[name].astype(np.float32), atol=1e-3)
    assert "python -m training retune --model" in (out / "README.md").read_text(encoding="utf-8")
    # the evaluation files go beside the training run's, not over them
    assert (tmp_path / "model-run" / "retune" / "eval_dev.json").is_file() and not (tmp_path / "model-run" / "eval_dev.json").exists()
    assert (tmp_path / "model-run" / "retune" / "retune_config.json").is_file()  # a training run's file stays its own
    assert not (tmp_path / "model-run" / "retune" / "finetune_config.json").exists()


def test_retune_needs_training_data(tmp_path: Any, tiny_model_dir: Any, gold_file: Any) -> None:
    import json

    from training.retune import main

    config = _retune_config(tmp_path, tiny_model_dir, gold_file, "model")
    data = json.loads(Path(config).read_text(encoding="utf-8"))
    Path(config).write_text(json.dumps({key: value for key, value in data.items() if key != "train"}), encoding="utf-8")
    with pytest.raises(ConfigError, match="train lists no file.* or pass --train"):
        main(["retune", "--model", str(tiny_model_dir), "--config", config])
    # the files of the command line, like finetune's: a user's own annotations reach the n-gram models and the card
    own = tmp_path / "own.jsonl"
    own.write_text("".join(json.dumps(dict(json.loads(line), id=f"own-{i}"), ensure_ascii=False) + "\n"
                           for i, line in enumerate(gold_file.read_text(encoding="utf-8").splitlines()) if line.strip()),
                   encoding="utf-8")  # other ids: a document in two training files is refused  # fmt: skip
    assert main(["retune", "--model", str(tiny_model_dir), "--config", config, "--train", str(gold_file), str(own),
                 "--output", str(tmp_path / "own-model")]) == 0  # fmt: skip
    card = (tmp_path / "own-model" / "README.md").read_text(encoding="utf-8")
    assert f"| `{own}` |" in card and f"- Retuned on `{gold_file}`, `{own}` (4 documents" in card
    assert "only the n-gram models and the choices made on dev were fitted on them" in card  # retune trains nothing
    assert "Retune config (" in card and "Fine-tuning config:" not in card and "Trained on" not in card


def test_retune_fits_the_tagger_the_config_names(tmp_path: Any, tiny_model_dir: Any, gold_file: Any) -> None:
    from arabnews_nlp.model_dir import load_analyzer
    from training.retune import main

    for name, tagger in (("maxent", "maxent"), ("crf", "crf")):
        config = _retune_config(tmp_path, tiny_model_dir, gold_file, name, ngram_tagger=tagger)
        assert main(["retune", "--model", str(tiny_model_dir), "--config", config]) == 0
    assert load_analyzer(tmp_path / "maxent", device="cpu")[2].ngram_model.tag_chain is None
    assert load_analyzer(tmp_path / "crf", device="cpu")[2].ngram_model.tag_chain is not None
    assert "a maximum-entropy word tagger for NER" in (tmp_path / "maxent" / "README.md").read_text(encoding="utf-8")
    assert "a linear-chain CRF word tagger for NER" in (tmp_path / "crf" / "README.md").read_text(encoding="utf-8")


def test_retune_keeps_the_models_word_clusters_without_reading_word_vectors(
    tmp_path: Any, tiny_model_dir: Any, gold_file: Any
) -> None:
    from arabnews_nlp.model_dir import load_analyzer, save_analyzer
    from arabnews_nlp.ngram_features import WordClusters
    from training.retune import main

    plain = _retune_config(tmp_path, tiny_model_dir, gold_file, "plain")
    assert main(["retune", "--model", str(tiny_model_dir), "--config", plain]) == 0
    model, tokenizer, settings = load_analyzer(tmp_path / "plain", device="cpu")
    clusters = WordClusters.from_words({"بغداد": (1,), "العراق": (1,), "قال": (0,)})
    settings.ngram_model.clusters = clusters
    save_analyzer(tmp_path / "clustered", model, tokenizer, settings)
    # word vectors that do not exist: a retune that read them would stop with a ConfigError
    missing = _retune_config(tmp_path, tiny_model_dir, gold_file, "refit", word_vectors=str(tmp_path / "no-vectors"),
                             ngram_clusters=[8])  # fmt: skip
    assert main(["retune", "--model", str(tmp_path / "clustered"), "--config", missing]) == 0
    kept = load_analyzer(tmp_path / "refit", device="cpu")[2].ngram_model.clusters
    np.testing.assert_array_equal(kept.keys, clusters.keys)
    np.testing.assert_array_equal(kept.ids, clusters.ids)
    # the kept clusters also feed the event regressions when the config asks
    events = _retune_config(tmp_path, tiny_model_dir, gold_file, "events", ngram_event_clusters=True)
    assert main(["retune", "--model", str(tmp_path / "clustered"), "--config", events]) == 0
    refit = load_analyzer(tmp_path / "events", device="cpu")[2]
    assert refit.ngram["event_clusters"] is True and len(refit.ngram_model.keys) > len(settings.ngram_model.keys)
    assert "word-cluster features for the event regressions" in (tmp_path / "events" / "README.md").read_text("utf-8")


def test_word_clusters_feed_the_tagger(tmp_path: Any, gold_records: list[dict[str, Any]]) -> None:
    from safetensors.numpy import save_file

    from training.config import FinetuneConfig
    from training.ngram import word_clusters

    words = ["بغداد", "العراق", "سوريا", "السوداني", "البنتاغون", "قال", "أعلنت"]
    vectors = np.asarray([[1, 0], [0.9, 0.1], [0.95, 0.05], [0, 1], [0.1, 0.9], [-1, 0], [-0.9, -0.1]], np.float32)
    save_file({"vectors": vectors}, str(tmp_path / "vectors.safetensors"))
    (tmp_path / "words.txt").write_text("\n".join(words) + "\n", encoding="utf-8")
    clusters = word_clusters(str(tmp_path), [3])
    from arabnews_nlp.text.normalize import normalize_word

    ids = clusters.lookup([normalize_word(word) for word in words])[:, 0].tolist()
    assert ids[0] == ids[1] == ids[2] and ids[3] == ids[4] and ids[5] == ids[6] and len(set(ids)) == 3
    model = fit_ngram(_copies(gold_records, 3), STANCE_LABELS, EVENT_TYPES, NER_TAGS, clusters=clusters)
    assert model.clusters is clusters
    with pytest.raises(Exception, match="ngram_clusters needs ngram: true"):
        FinetuneConfig(base="x", train=[], ngram_clusters=[8])


def _rocket_records() -> list[dict[str, Any]]:
    """Sentences where صاروخ (a rocket) marks ROCKET_ATTACK and اجتماع (a meeting) marks none."""
    records = []
    for i, place in enumerate(["القاعدة", "المطار", "المعسكر", "السفارة", "المدينة", "الحدود"] * 2):
        texts = [(f"سقط صاروخ في {place}", ["ROCKET_ATTACK"], "anti"), (f"عقد اجتماع في {place}", [], "neutral")]
        text = "\n".join(t for t, _, _ in texts)
        sentences, start = [], 0
        for sentence, events, stance in texts:
            sentences.append({"start": start, "end": start + len(sentence), "stance": stance, "events": events})
            start += len(sentence) + 1
        entity = {"start": text.index(place), "end": text.index(place) + len(place), "label": "LOC"}
        records.append({"id": f"r{i}", "text": text, "tasks": ["ner", "stance", "events"], "sentences": sentences,
                        "entities": [entity]})  # fmt: skip
    return records


def test_event_clusters_carry_an_event_to_words_of_the_same_cluster() -> None:
    from arabnews_nlp.ngram_features import NgramConfig, WordClusters

    # قذيفة (a shell) never occurs in training but shares صاروخ's cluster
    clusters = WordClusters.from_words({"صاروخ": (0,), "قذيفة": (0,), "اجتماع": (1,), "لقاء": (1,)})
    records = _rocket_records()
    plain = fit_ngram(records, STANCE_LABELS, EVENT_TYPES, NER_TAGS, clusters=clusters)
    clustered = fit_ngram(records, STANCE_LABELS, EVENT_TYPES, NER_TAGS, config=NgramConfig(event_clusters=True),
                          clusters=clusters)  # fmt: skip
    assert len(clustered.keys) > len(plain.keys)
    rocket = EVENT_TYPES.index("ROCKET_ATTACK")
    texts = ["قذيفة", "لقاء"]  # a shell; a meeting (the cluster of اجتماع)
    without, with_clusters = plain.sentence_probabilities(texts)[1][:, rocket], clustered.sentence_probabilities(texts)[1][:, rocket]
    assert with_clusters[0] > max(0.5, without[0] + 0.1)  # without: only the bias, about 0.5 (balanced weights)
    assert with_clusters[1] < min(0.5, without[1] - 0.1)
    # the stance regression does not read the cluster block: the same stance as without it
    np.testing.assert_allclose(clustered.sentence_probabilities(texts)[0], plain.sentence_probabilities(texts)[0],
                               atol=1e-6)  # fmt: skip
    with pytest.raises(ValueError, match="event_clusters needs word clusters"):
        fit_ngram(records, STANCE_LABELS, EVENT_TYPES, NER_TAGS, config=NgramConfig(event_clusters=True))


def test_retune_with_event_clusters_needs_word_clusters(tmp_path: Any, tiny_model_dir: Any, gold_file: Any) -> None:
    from arabnews_nlp.errors import ConfigError
    from training.retune import main

    config = _retune_config(tmp_path, tiny_model_dir, gold_file, "events", ngram_event_clusters=True)
    with pytest.raises(ConfigError, match="ngram_event_clusters needs word clusters"):
        main(["retune", "--model", str(tiny_model_dir), "--config", config])
    from training.config import FinetuneConfig

    with pytest.raises(ConfigError, match="ngram_event_clusters needs ngram: true"):
        FinetuneConfig(base="x", train=[], ngram_event_clusters=True)


@pytest.mark.parametrize("tagger", ["maxent", "crf"])
def test_tagger_fits_data_with_one_entity_type(tagger: str) -> None:
    # only O and B-LOC occur: scikit-learn keeps a single log-odds vector for two classes
    model = fit_ngram(_rocket_records(), STANCE_LABELS, EVENT_TYPES, NER_TAGS, tagger=tagger)
    rows = model.tag_probabilities(["سقط", "صاروخ", "في", "المطار"]).tolist()
    assert [tag for tag, _ in tag_words(rows, NER_TAGS)] == ["O", "O", "O", "B-LOC"]
    assert max(row[NER_TAGS.index("B-PER")] for row in rows) < 1e-6


@pytest.mark.parametrize("tasks", [["ner"], ["stance"], ["events"]])
def test_retune_on_annotations_of_one_layer(
    tmp_path: Any, tiny_model_dir: Any, gold_file: Any, gold_records: list[dict[str, Any]], tasks: list[str]
) -> None:
    from arabnews_nlp.model_dir import load_analyzer
    from training.data.records import with_tasks, write_records
    from training.retune import main

    partial = tmp_path / "partial.jsonl"
    write_records(partial, [with_tasks(record, tasks) for record in gold_records])
    config = _retune_config(tmp_path, tiny_model_dir, gold_file, "partial", train=[str(partial)], gazetteer=True,
                            allow_held_out_copies=True)  # dev: the same documents with every layer  # fmt: skip
    assert main(["retune", "--model", str(tiny_model_dir), "--config", config]) == 0
    settings = load_analyzer(tmp_path / "partial", device="cpu")[2]
    for layer, weight in (("stance", "stance_weight"), ("events", "events_weight"), ("ner", "ner_weight")):
        if layer not in tasks:  # the n-gram part learnt nothing: the dev choice leaves it out
            assert settings.ngram[weight] == 0.0
