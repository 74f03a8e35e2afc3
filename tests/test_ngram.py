"""The bag-of-n-grams model: features, probabilities, saving, and its blend in the analyzer."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from arabnews_nlp import Analyzer
from arabnews_nlp.errors import ConfigError, ModelFormatError
from arabnews_nlp.ngram import NgramModel, blend
from arabnews_nlp.ngram_features import (NgramConfig, WordClusters, _key, cluster_keys, feature_keys, sentence_keys, stem,
                                         tagger_features)
from arabnews_nlp.schema import EVENT_TYPES, NER_TAGS, STANCE_LABELS
from arabnews_nlp.settings import AnalyzerSettings


def _model(words: dict[str, tuple[str | None, str | None]], tags: dict[str, str] | None = None,
           **config: Any) -> NgramModel:  # fmt: skip
    """A hand-made model: each word pushes one stance label and/or one event type strongly; the
    tagger gives each word of ``tags`` its tag (feature ``w0=word``)."""
    effects = {_key("w", word): effect for word, effect in words.items()}
    keys = sorted(effects)
    stance_coef = np.zeros((len(keys), len(STANCE_LABELS)), np.float32)
    event_coef = np.zeros((len(keys), len(EVENT_TYPES)), np.float32)
    for row, key in enumerate(keys):
        label, event = effects[key]
        if label:
            stance_coef[row, STANCE_LABELS.index(label)] = 8.0
        if event:
            event_coef[row, EVENT_TYPES.index(event)] = 12.0
    tagged = {_key("t", f"w0={word}"): tag for word, tag in (tags or {}).items()}
    tag_keys = sorted(tagged)
    tag_coef = np.zeros((len(tag_keys), len(NER_TAGS)), np.float32)
    for row, key in enumerate(tag_keys):
        tag_coef[row, NER_TAGS.index(tagged[key])] = 10.0
    stance_bias = np.asarray([0.0 if label != "neutral" else 1.0 for label in STANCE_LABELS], np.float32)
    tag_bias = np.asarray([2.0 if tag == "O" else 0.0 for tag in NER_TAGS], np.float32)
    return NgramModel(NgramConfig(**config), np.asarray(keys, np.int64), np.ones(len(keys), np.float32), stance_coef,
                      stance_bias, event_coef, np.full(len(EVENT_TYPES), -6.0, np.float32),
                      np.asarray(tag_keys, np.int64), tag_coef, tag_bias)  # fmt: skip


def test_features_are_normalised_word_and_character_ngrams() -> None:
    words, chars = feature_keys("قال السوداني", NgramConfig(char_n=(2, 2)))
    assert len(words) == 3  # two words and one bigram
    assert len(chars) == len(" قال ") - 1 + len(" السوداني ") - 1
    assert feature_keys("قالَ  السّوداني", NgramConfig()) == feature_keys("قال السوداني", NgramConfig())
    assert feature_keys("", NgramConfig()) == ([], [])


def test_cluster_keys_are_the_cluster_ngrams_of_the_sentence() -> None:
    clusters = WordClusters.from_words({"صاروخ": (1, 10), "قذيفة": (1, 11), "قاعدة": (2, 20)})
    keys = cluster_keys("صاروخ على قاعدة", clusters)
    names = ["0:1", "0:U", "0:2", "0:1 0:U", "0:U 0:2", "1:10", "1:U", "1:20", "1:10 1:U", "1:U 1:20"]
    assert keys == [_key("g", name) for name in names]
    assert cluster_keys("قذيفة على قاعدة", clusters)[:5] == keys[:5]  # same cluster in the first clustering
    assert cluster_keys("قذيفة على قاعدة", clusters)[5:] != keys[5:]
    assert cluster_keys("صاروخٌ  على قاعدة", clusters) == keys and cluster_keys("", clusters) == []
    assert sentence_keys("صاروخ", NgramConfig(), clusters) == feature_keys("صاروخ", NgramConfig())
    blocks = sentence_keys("صاروخ", NgramConfig(event_clusters=True), clusters)
    assert blocks == (*feature_keys("صاروخ", NgramConfig()), cluster_keys("صاروخ", clusters))
    with pytest.raises(ConfigError, match="event_clusters needs word clusters"):
        sentence_keys("صاروخ", NgramConfig(event_clusters=True), None)


def test_tagger_features_read_the_word_and_its_neighbours() -> None:
    features = tagger_features(["وقال", "السوداني", "للقوات"])
    assert "w0=السوداني" in features[1] and "w-1=وقال" in features[1] and "w+1=للقوات" in features[1]
    assert "w-1=<s1>" in features[0] and "w+2=</s2>" in features[2]
    assert "st=قوات" in features[2] and "p2=لل" in features[2] and "s3=وات" in features[2]
    assert [stem(w) for w in ("والعراق", "للقوات", "قال")] == ["عراق", "قوات", "قال"]
    assert tagger_features([]) == []


def test_tagger_keys_are_the_hashes_of_the_tagger_features() -> None:
    from arabnews_nlp.ngram_features import tagger_keys

    words = ["وقال", "رئيس", "الوزراء", "محمد", "شياع", "السوداني", "للقوات", "،", "x"]
    expected = [[_key("t", feature) for feature in word] for word in tagger_features(words)]
    assert tagger_keys(words) == expected
    assert tagger_keys(words[:1]) == [[_key("t", feature) for feature in tagger_features(words[:1])[0]]]
    clusters = WordClusters.from_words({"رئيس": (4, 40), "السوداني": (7, 70)})
    with_clusters = tagger_features(words, clusters)
    assert with_clusters[1][-6:] == ["c00=4", "c0-1=U", "c0+1=U", "c10=40", "c1-1=U", "c1+1=U"]
    assert with_clusters[0][-6:-3] == ["c00=U", "c0-1=B", "c0+1=4"] and with_clusters[-1][-4] == "c0+1=E"
    assert tagger_keys(words, clusters) == [[_key("t", feature) for feature in word] for word in with_clusters]


def test_word_clusters_round_trip_with_the_model(tmp_path: Path) -> None:
    model = _model({"خروج": ("anti", None)}, tags={"بغداد": "B-LOC"})
    model.clusters = WordClusters.from_words({"بغداد": (1, 2), "خروج": (3, 4)})
    model.save(tmp_path)
    loaded = NgramModel.load(tmp_path, NgramConfig())
    assert loaded.clusters is not None and loaded.clusters.lookup(["خروج", "لا"]).tolist() == [[3, 4], [-1, -1]]
    np.testing.assert_allclose(loaded.tag_probabilities(["في", "بغداد"]), model.tag_probabilities(["في", "بغداد"]),
                               atol=1e-3)  # fmt: skip
    with pytest.raises(ModelFormatError, match="cluster_ids"):
        WordClusters(np.arange(3, dtype=np.int64), np.zeros((2, 1), np.int32))


def test_probabilities_follow_the_coefficients_and_ignore_unknown_words() -> None:
    model = _model({"خروج": ("anti", None), "صاروخ": (None, "ROCKET_ATTACK")})
    stance = model.sentence_probabilities(["خروج القوات", "صاروخ", "كلام آخر", ""])[0]
    np.testing.assert_allclose(stance.sum(axis=1), 1.0)
    assert [STANCE_LABELS[i] for i in stance.argmax(axis=1)] == ["anti", "neutral", "neutral", "neutral"]
    np.testing.assert_allclose(stance[2], stance[3])  # unknown words only: the biases alone
    events = model.sentence_probabilities(["صاروخ صاروخ", "خروج"])[1]
    assert events[0, EVENT_TYPES.index("ROCKET_ATTACK")] > 0.99 and events[1].max() < 0.01


def test_save_and_load_round_trip(tmp_path: Path) -> None:
    model = _model({"خروج": ("anti", "WITHDRAWAL"), "دعم": ("pro", None)}, stance_weight=0.5)
    model.save(tmp_path)
    loaded = NgramModel.load(tmp_path, NgramConfig(stance_weight=0.5))
    texts = ["خروج القوات", "دعم التحالف"]
    np.testing.assert_allclose(loaded.sentence_probabilities(texts)[0], model.sentence_probabilities(texts)[0], atol=1e-3)
    with pytest.raises(ModelFormatError, match="ngram.safetensors is missing"):
        NgramModel.load(tmp_path / "nowhere", NgramConfig())
    (tmp_path / "ngram.safetensors").write_bytes((tmp_path / "ngram.safetensors").read_bytes()[:50])
    with pytest.raises(ModelFormatError, match="ngram.safetensors is not a readable safetensors file"):
        NgramModel.load(tmp_path, NgramConfig(stance_weight=0.5))


def test_blend_and_config_checks() -> None:
    assert blend([0.2, 0.8], [1.0, 0.0], 0.0) == [0.2, 0.8]
    assert blend([0.2, 0.8], [1.0, 0.0], 1.0) == [1.0, 0.0]
    assert blend([], [1.0, 0.0], 0.5) == []
    with pytest.raises(ConfigError, match="stance_weight must be a number in"):
        NgramConfig(stance_weight=1.5)
    with pytest.raises(ConfigError, match="word_n must be"):
        NgramConfig(word_n=(2, 1))
    with pytest.raises(ConfigError, match="events_weight"):
        AnalyzerSettings(ngram={"events_weight": -1})
    with pytest.raises(ConfigError, match="event_clusters must be true or false"):
        NgramConfig(event_clusters="yes")  # type: ignore[arg-type]
    assert NgramConfig.from_dict(NgramConfig(event_clusters=True).to_dict()).event_clusters is True
    model = _model({"أ": ("anti", None)})
    with pytest.raises(ModelFormatError, match="event_clusters but the file has no word clusters"):
        NgramModel(NgramConfig(event_clusters=True), model.keys, model.idf, model.stance_coef, model.stance_bias,
                   model.event_coef, model.event_bias, model.tag_keys, model.tag_coef, model.tag_bias)  # fmt: skip


def test_unsorted_keys_are_refused() -> None:
    model = _model({"أ": ("anti", None), "ب": ("pro", None)})
    with pytest.raises(ModelFormatError, match="sorted"):
        NgramModel(model.config, model.keys[::-1].copy(), model.idf, model.stance_coef, model.stance_bias,
                   model.event_coef, model.event_bias, model.tag_keys, model.tag_coef, model.tag_bias)  # fmt: skip


@pytest.mark.parametrize("backend", ["torch", "numpy"])
def test_analyzer_blends_the_ngram_model(tiny_model_dir: Path, tmp_path: Path, backend: str) -> None:
    directory = tmp_path / "model"
    shutil.copytree(tiny_model_dir, directory)
    settings = AnalyzerSettings.load(directory)
    settings.ngram = NgramConfig(stance_weight=1.0, events_weight=1.0, ner_weight=1.0).to_dict()
    settings.ngram_model = _model({"خروج": ("anti", None), "صاروخ": (None, "ROCKET_ATTACK")},
                                  tags={"النائب": "B-PER", "القاعدة": "B-FAC"})  # fmt: skip
    settings.save(directory)
    assert (directory / "ngram.safetensors").is_file()

    analyzer = Analyzer.from_pretrained(directory, device="cpu", backend=backend)
    text = "طالب النائب خروج القوات الأجنبية. سقط صاروخ قرب القاعدة."
    analysis = analyzer.analyze(text)
    first, second = analysis.sentences
    assert first.stance.label == "anti" and first.events == ()
    assert second.stance.label == "neutral" and [e.label for e in second.events] == ["ROCKET_ATTACK"]
    assert [(e.text, e.label) for e in analysis.entities] == [("النائب", "PER"), ("القاعدة", "FAC")]
    assert first.stance.holder is not None and first.stance.holder.text == "النائب"
    assert analysis.stance.label == "neutral"  # the article only reports the position: SCHEMA.md's document stance
    own_voice = analyzer.analyze("خروج القوات الأجنبية واجب. سقط صاروخ قرب القاعدة.")
    assert own_voice.sentences[0].stance.label == "anti" and own_voice.sentences[0].stance.holder is None
    assert own_voice.stance.label == "anti"
    assert all(text[e.start : e.end] == e.text for e in analysis.entities)

    (directory / "ngram.safetensors").unlink()
    with pytest.raises(ModelFormatError, match="ngram.safetensors is missing"):
        Analyzer.from_pretrained(directory, device="cpu")


def test_settings_without_ngram_models_remove_a_stale_ngram_file(tmp_path: Path) -> None:
    settings = AnalyzerSettings(ngram=NgramConfig().to_dict())
    settings.ngram_model = _model({"خروج": ("anti", None)})
    settings.save(tmp_path)
    assert (tmp_path / "ngram.safetensors").is_file()
    AnalyzerSettings().save(tmp_path)  # another model saved into the same directory, without n-gram models
    assert not (tmp_path / "ngram.safetensors").exists() and AnalyzerSettings.load(tmp_path).ngram_model is None


def test_settings_that_name_ngram_models_they_did_not_load_keep_the_file(tmp_path: Path) -> None:
    # Settings read from the JSON alone (from_dict, not load) and saved back, e.g. to change the
    # description: the n-gram models the JSON names must stay, or the directory no longer loads.
    settings = AnalyzerSettings(ngram=NgramConfig().to_dict())
    settings.ngram_model = _model({"خروج": ("anti", None)})
    settings.save(tmp_path)
    edited = AnalyzerSettings.from_dict({**settings.to_dict(), "description": "edited"})
    assert edited.ngram and edited.ngram_model is None
    edited.save(tmp_path)
    assert AnalyzerSettings.load(tmp_path).ngram_model is not None


def test_a_copy_of_the_settings_keeps_its_ngram_models(tiny_model_dir: Path, tmp_path: Path) -> None:
    import dataclasses

    directory = tmp_path / "model"
    shutil.copytree(tiny_model_dir, directory)
    settings = AnalyzerSettings.load(directory)
    settings.ngram = NgramConfig(stance_weight=1.0, events_weight=1.0, ner_weight=1.0).to_dict()
    settings.ngram_model = _model({"خروج": ("anti", None)}, tags={"النائب": "B-PER"})
    settings.save(directory)
    analyzer = Analyzer.from_pretrained(directory, device="cpu")
    text = "طالب النائب خروج القوات الأجنبية."
    before = analyzer.analyze(text).to_dict()
    analyzer.settings = dataclasses.replace(analyzer.settings, ner_min_score=analyzer.settings.ner_min_score)
    assert analyzer.settings.ngram_model is not None
    assert analyzer.analyze(text).to_dict() == before  # the blend is not silently dropped
    assert "ngram_model" not in analyzer.settings.to_dict()
    assert analyzer.card is not None  # the same settings: the card still describes them
    analyzer.save_pretrained(tmp_path / "copy")
    assert Analyzer.from_pretrained(tmp_path / "copy", device="cpu").analyze(text).sentences[0].stance.label == "anti"
    assert dataclasses.replace(analyzer.settings, ngram={}).ngram_model is None  # no blend named, none kept
