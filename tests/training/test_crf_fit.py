"""Fitting the CRF word tagger: its gradient, what it learns that a per-word tagger cannot, its checks."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from scipy.optimize import check_grad
from scipy.sparse import csr_matrix, random as sparse_random

from arabnews_nlp.crf import marginals
from arabnews_nlp.schema import EVENT_TYPES, NER_TAGS, STANCE_LABELS
from arabnews_nlp.tasks.ner import tag_words
from training.config import FinetuneConfig
from arabnews_nlp.errors import ConfigError
from training.crf import CrfObjective, fit_crf
from training.ngram import fit_ngram, tagged_words

TAGS = ["O", "B-PER", "I-PER", "B-LOC", "I-LOC"]


def test_gradient_matches_finite_differences() -> None:
    lengths = np.array([3, 1, 5, 2])
    features = sparse_random(lengths.sum(), 7, density=0.4, random_state=0, format="csr")
    gold = np.array([1, 2, 0, 3, 0, 1, 2, 2, 0, 3, 4])
    objective = CrfObjective(features, gold, lengths, TAGS, c=0.7)
    theta = np.random.default_rng(0).normal(scale=0.5, size=objective.size + 5 + 25 + 10)
    gradient = objective(theta)[1]
    error = check_grad(lambda t: objective(t)[0], lambda t: objective(t)[1], theta)
    assert error < 1e-4 * np.linalg.norm(gradient)


def test_learns_from_the_previous_tag_what_one_word_cannot_say() -> None:
    """Word 1 ("x") is a name in "a x" and "b x" alike; what it continues depends on word 0.

    A per-word tagger sees the same features for "x" in both, so it can only split its probability
    between I-PER and I-LOC; the CRF carries word 0's tag over the transition.
    """
    # features: 0 = "a" (a person's first word), 1 = "b" (a place's first word), 2 = "x"
    rows = [[0], [2], [1], [2]] * 20
    features = csr_matrix((np.ones(len(rows)), [r[0] for r in rows], np.arange(len(rows) + 1)), shape=(len(rows), 3))
    gold = np.array([TAGS.index(t) for t in ["B-PER", "I-PER", "B-LOC", "I-LOC"] * 20])
    weights = fit_crf(features, gold, [2] * 40, TAGS, c=10.0, progress=False)
    assert weights.iterations > 0 and weights.coef.shape == (3, 5)
    for first, second in (("B-PER", "I-PER"), ("B-LOC", "I-LOC")):
        emissions = features[:2].toarray() if first == "B-PER" else features[2:4].toarray()
        probabilities = marginals(emissions @ weights.coef + weights.bias, weights.chain)
        assert [TAGS[i] for i in probabilities.argmax(axis=1)] == [first, second]
        assert probabilities[1, TAGS.index(second)] > 0.9


def test_refuses_invalid_gold_and_mismatched_shapes() -> None:
    features = csr_matrix(np.eye(3))
    with pytest.raises(ValueError, match="not valid IOB2"):
        CrfObjective(features, np.array([0, 2, 0]), [3], TAGS, 1.0)  # O then I-PER
    with pytest.raises(ValueError, match="not valid IOB2"):
        CrfObjective(features, np.array([2, 0, 0]), [1, 2], TAGS, 1.0)  # a sentence starting with I-PER
    with pytest.raises(ValueError, match="must agree"):
        CrfObjective(features, np.array([0, 0, 0]), [2, 2], TAGS, 1.0)
    with pytest.raises(ValueError, match="must agree"):
        CrfObjective(features, np.array([0, 0, 0]), [3, 0], TAGS, 1.0)


def test_fit_ngram_with_a_crf_tagger_learns_the_training_sentences(gold_records: list[dict[str, Any]]) -> None:
    model = fit_ngram(gold_records * 2, STANCE_LABELS, EVENT_TYPES, NER_TAGS, tagger="crf")
    assert model.tag_chain is not None and model.tag_chain.transitions.shape == (len(NER_TAGS), len(NER_TAGS))
    for words, gold_tags in tagged_words(gold_records):
        rows = model.tag_probabilities(words)
        np.testing.assert_allclose(rows.sum(axis=1), 1.0, atol=1e-5)
        assert [tag for tag, _ in tag_words(rows.tolist(), NER_TAGS)] == gold_tags
    assert fit_ngram(gold_records, STANCE_LABELS, EVENT_TYPES, NER_TAGS).tag_chain is None
    with pytest.raises(ValueError, match="tagger must be one of"):
        fit_ngram(gold_records, STANCE_LABELS, EVENT_TYPES, NER_TAGS, tagger="hmm")
    with pytest.raises(ConfigError, match="ngram_tagger must be"):
        FinetuneConfig(base="x", train=[], ngram_tagger="hmm")
