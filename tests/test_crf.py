"""The CRF tagger's runtime: marginals by scaled forward-backward, checked against enumeration."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest

from arabnews_nlp.crf import FORBIDDEN, ChainScores, allowed_transitions, batch_marginals, forward_backward, marginals
from arabnews_nlp.errors import ModelFormatError
from arabnews_nlp.ngram import NgramModel
from arabnews_nlp.ngram_features import NgramConfig, _key
from arabnews_nlp.schema import NER_TAGS

TAGS = ["O", "B-PER", "I-PER", "B-LOC", "I-LOC"]


def _enumerate(emissions: np.ndarray, chain: ChainScores) -> tuple[np.ndarray, float]:
    """Marginals and log Z by summing over every tag sequence."""
    length, k = emissions.shape
    totals, z = np.zeros((length, k)), 0.0
    for path in itertools.product(range(k), repeat=length):
        score = chain.start[path[0]] + chain.end[path[-1]] + sum(emissions[i, t] for i, t in enumerate(path))
        score += sum(chain.transitions[a, b] for a, b in itertools.pairwise(path))
        weight = np.exp(score)
        z += weight
        for i, t in enumerate(path):
            totals[i, t] += weight
    return totals / z, float(np.log(z))


def _chain(seed: int) -> ChainScores:
    rng = np.random.default_rng(seed)
    return ChainScores.masked(TAGS, rng.normal(size=(5, 5)), rng.normal(size=5), rng.normal(size=5))


@pytest.mark.parametrize("length", [1, 2, 4])
def test_marginals_and_partition_function_equal_enumeration(length: int) -> None:
    emissions = np.random.default_rng(length).normal(scale=3.0, size=(length, len(TAGS)))
    chain = _chain(length)
    expected, log_z = _enumerate(emissions, chain)
    np.testing.assert_allclose(marginals(emissions, chain), expected, atol=1e-12)
    lattice = forward_backward(emissions[None], np.array([length]), chain)
    assert lattice.log_z[0] == pytest.approx(log_z, abs=1e-9)


def test_padded_batch_gives_each_sentence_its_own_marginals() -> None:
    rng = np.random.default_rng(0)
    sentences = [rng.normal(size=(n, len(TAGS))) for n in (3, 1, 5)]
    padded = np.zeros((3, 5, len(TAGS)))
    for i, emissions in enumerate(sentences):
        padded[i, : len(emissions)] = emissions
        padded[i, len(emissions) :] = 50.0  # padding must not count, whatever it holds
    chain = _chain(1)
    lattice = forward_backward(padded, np.array([3, 1, 5]), chain)
    for i, emissions in enumerate(sentences):
        np.testing.assert_allclose(lattice.marginals()[i, : len(emissions)], marginals(emissions, chain), atol=1e-12)
        assert lattice.log_z[i] == pytest.approx(_enumerate(emissions, chain)[1], abs=1e-9)


def test_batch_marginals_equal_one_sentence_at_a_time() -> None:
    rng = np.random.default_rng(2)
    sentences = [rng.normal(size=(n, len(TAGS))) for n in (4, 0, 1, 7)]
    chain = _chain(2)
    batch = batch_marginals(sentences, chain)
    assert [rows.shape for rows in batch] == [(4, 5), (0, 5), (1, 5), (7, 5)]
    for rows, emissions in zip(batch, sentences):
        if len(emissions):
            np.testing.assert_allclose(rows, _enumerate(emissions, chain)[0] if len(emissions) < 5 else
                                       marginals(emissions, chain), atol=1e-12)  # fmt: skip
    assert batch_marginals([], chain) == []


def test_forbidden_transitions_never_get_probability() -> None:
    pairs, first = allowed_transitions(TAGS)
    assert not pairs[TAGS.index("O"), TAGS.index("I-PER")] and not pairs[TAGS.index("B-LOC"), TAGS.index("I-PER")]
    assert pairs[TAGS.index("B-PER"), TAGS.index("I-PER")] and pairs[TAGS.index("I-PER"), TAGS.index("I-PER")]
    assert first.tolist() == [True, True, False, True, False]
    chain = ChainScores.masked(TAGS, np.full((5, 5), 3.0), np.zeros(5), np.zeros(5))
    assert chain.transitions[0, 2] == FORBIDDEN and chain.start[4] == FORBIDDEN
    # I-LOC scores highest on the second word, but only B-LOC may precede it: the first word follows
    emissions = np.array([[0.0, 2.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0, 9.0]])
    result = marginals(emissions, chain)
    assert result[0, TAGS.index("B-LOC")] > 0.99 and result[1, TAGS.index("I-LOC")] > 0.99
    assert result[0, TAGS.index("I-PER")] == 0.0 and result[0, TAGS.index("I-LOC")] == 0.0
    # huge emissions do not overflow
    assert np.isfinite(marginals(emissions * 1e3, chain)).all()
    assert marginals(np.zeros((0, 5)), chain).shape == (0, 5)


def _tagger_model(chain: ChainScores | None) -> NgramModel:
    """A tagger that knows two words: "في" is outside any name, "بغداد" a location (B-LOC 4, I-LOC 4.5)."""
    keys = np.asarray(sorted([_key("t", "w0=بغداد"), _key("t", "w0=في")]), np.int64)
    coef = np.zeros((2, len(NER_TAGS)), np.float32)
    place = int(keys[1] == _key("t", "w0=بغداد"))
    coef[place, NER_TAGS.index("B-LOC")], coef[place, NER_TAGS.index("I-LOC")] = 4.0, 4.5
    coef[1 - place, NER_TAGS.index("O")] = 12.0
    empty = np.zeros(0, np.int64)
    return NgramModel(NgramConfig(), empty, np.zeros(0, np.float32), np.zeros((0, 3), np.float32), np.zeros(3, np.float32),
                      np.zeros((0, 11), np.float32), np.zeros(11, np.float32), keys, coef,
                      np.zeros(len(NER_TAGS), np.float32), tag_chain=chain)  # fmt: skip


def test_ngram_model_gives_crf_marginals_and_round_trips(tmp_path: Path) -> None:
    k = len(NER_TAGS)
    maxent = _tagger_model(None).tag_probabilities(["في", "بغداد"])
    assert NER_TAGS[maxent[1].argmax()] == "I-LOC"  # alone, the word prefers an impossible I-LOC after O
    chain = ChainScores.masked(NER_TAGS, np.zeros((k, k)), np.zeros(k), np.zeros(k))
    model = _tagger_model(chain)
    crf = model.tag_probabilities(["في", "بغداد"])
    np.testing.assert_allclose(crf.sum(axis=1), 1.0, atol=1e-6)
    assert NER_TAGS[crf[1].argmax()] == "B-LOC" and crf[1, NER_TAGS.index("I-LOC")] < 1e-4
    model.save(tmp_path)
    loaded = NgramModel.load(tmp_path, NgramConfig())
    assert loaded.tag_chain is not None
    np.testing.assert_allclose(loaded.tag_probabilities(["في", "بغداد"]), crf, atol=1e-6)
    batch = loaded.tag_probabilities_batch([["بغداد"], ["في", "بغداد"], []])
    np.testing.assert_allclose(batch[1], crf, atol=1e-6)
    np.testing.assert_allclose(batch[0], loaded.tag_probabilities(["بغداد"]), atol=1e-6)
    assert batch[2].shape == (0, k)


def test_a_broken_chain_is_refused(tmp_path: Path) -> None:
    from safetensors.numpy import load_file, save_file

    k = len(NER_TAGS)
    with pytest.raises(ModelFormatError, match="tag_transitions has shape"):
        _tagger_model(ChainScores(np.zeros((k, k - 1)), np.zeros(k), np.zeros(k)))
    _tagger_model(ChainScores.masked(NER_TAGS, np.zeros((k, k)), np.zeros(k), np.zeros(k))).save(tmp_path)
    tensors = load_file(str(tmp_path / "ngram.safetensors"))
    del tensors["tag_end"]
    save_file(tensors, str(tmp_path / "ngram.safetensors"))
    with pytest.raises(ModelFormatError, match="needs all of"):
        NgramModel.load(tmp_path, NgramConfig())
