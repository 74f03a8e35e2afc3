"""Fit the linear-chain CRF word tagger (:mod:`arabnews_nlp.crf`) by L-BFGS.

The objective is the negative log-likelihood of the gold tag sequences plus ``||W||^2 / (2C)`` on
the feature weights, the same L2 penalty as scikit-learn's logistic regression with inverse
strength ``C`` (biases and transitions unpenalised). Its gradient is the classic one: for every
word, the marginal tag probabilities minus the gold tag (emissions), and for every pair of
consecutive words the expected minus the gold transition counts. Sentences are batched by
length so the forward-backward runs over whole batches in NumPy.

Training starts from the maximum-entropy tagger's weights (the CRF with every transition at 0 is
that tagger), so a few hundred L-BFGS iterations suffice.

Example:
    >>> # weights = fit_crf(features, gold_ids, lengths, tags, c=1.0, coef=maxent_coef, bias=maxent_bias)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from arabnews_nlp.crf import ChainScores, allowed_transitions, forward_backward

BATCH_WORDS = 16384
"""Padded words per forward-backward batch (sentences sorted by length)."""


@dataclass(frozen=True)
class CrfWeights:
    """A fitted CRF tagger.

    Attributes:
        coef: ``(F, K)`` feature weights.
        bias: ``(K,)`` tag biases.
        chain: Transition scores (forbidden pairs at :data:`arabnews_nlp.crf.FORBIDDEN`).
        iterations: L-BFGS iterations run.
        loss: Final objective.
    """

    coef: np.ndarray
    bias: np.ndarray
    chain: ChainScores
    iterations: int
    loss: float


def _batches(lengths: np.ndarray) -> list[np.ndarray]:
    """Row indices of each sentence's words, as ``(B, L)`` arrays padded with -1, by length."""
    offsets = np.concatenate([[0], np.cumsum(lengths)])
    order = np.argsort(lengths, kind="stable")
    batches, current = [], []
    for sentence in order:
        if current and (len(current) + 1) * lengths[sentence] > BATCH_WORDS:
            batches.append(current)
            current = []
        current.append(sentence)
    if current:
        batches.append(current)
    padded = []
    for sentences in batches:
        rows = np.full((len(sentences), lengths[sentences[-1]]), -1, dtype=np.int64)
        for i, sentence in enumerate(sentences):
            rows[i, : lengths[sentence]] = np.arange(offsets[sentence], offsets[sentence + 1])
        padded.append(rows)
    return padded


class CrfObjective:
    """The training objective and its gradient, over a flat parameter vector for L-BFGS.

    The vector holds the feature weights ``(F, K)``, the biases ``(K,)``, the transitions
    ``(K, K)``, then the start and end scores ``(K,)`` each, flattened in that order.

    Args:
        features: ``(N, F)`` sparse indicator matrix, one row per word, sentences one after another.
        gold: ``(N,)`` gold tag ids (valid IOB2 within each sentence).
        lengths: Words of each sentence, in order; they sum to ``N``.
        tags: The IOB2 tags in id order.
        c: Inverse L2 strength of the feature weights.

    Raises:
        ValueError: If the shapes disagree, a sentence is empty or a gold sequence is not valid IOB2.
    """

    def __init__(self, features: Any, gold: np.ndarray, lengths: Sequence[int], tags: Sequence[str], c: float) -> None:
        lengths = np.asarray(lengths, dtype=np.int64)
        gold = np.asarray(gold, dtype=np.int64)
        n, k = features.shape[0], len(tags)
        if lengths.sum() != n or len(gold) != n or (lengths < 1).any():
            raise ValueError(f"{n} feature rows, {len(gold)} gold tags and sentence lengths summing to {lengths.sum()} "
                             "(each at least 1) must agree")  # fmt: skip
        self.pairs, self.first = allowed_transitions(tags)
        starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
        following = np.setdiff1d(np.arange(n), starts)
        if not self.first[gold[starts]].all() or not self.pairs[gold[following - 1], gold[following]].all():
            raise ValueError("the gold tags are not valid IOB2 (an I-X that does not follow B-X or I-X)")
        self.tags, self.c, self.features, self.transposed = list(tags), c, features, features.T.tocsr()
        self.one_hot = np.zeros((n, k))
        self.one_hot[np.arange(n), gold] = 1.0
        self.gold_pairs = np.zeros((k, k))
        np.add.at(self.gold_pairs, (gold[following - 1], gold[following]), 1.0)
        self.gold_first = np.bincount(gold[starts], minlength=k).astype(np.float64)
        self.gold_last = np.bincount(gold[starts + lengths - 1], minlength=k).astype(np.float64)
        self.batches = _batches(lengths)
        self.size = features.shape[1] * k

    def unpack(self, theta: np.ndarray) -> tuple[np.ndarray, np.ndarray, ChainScores]:
        """Split ``theta`` into feature weights, biases and (masked) transition scores."""
        k, size = len(self.tags), self.size
        chain = ChainScores.masked(self.tags, theta[size + k : size + k + k * k].reshape(k, k),
                                   theta[size + k + k * k : size + 2 * k + k * k], theta[size + 2 * k + k * k :])  # fmt: skip
        return theta[:size].reshape(-1, k), theta[size : size + k], chain

    def __call__(self, theta: np.ndarray) -> tuple[float, np.ndarray]:
        """Return the objective at ``theta`` and its gradient."""
        weights, biases, chain = self.unpack(theta)
        emissions = np.asarray(self.features @ weights) + biases
        loss = -(emissions * self.one_hot).sum() - (chain.transitions * self.gold_pairs).sum()
        loss -= chain.start @ self.gold_first + chain.end @ self.gold_last
        grad_emissions = -self.one_hot
        grad_pairs, grad_first, grad_last = -self.gold_pairs, -self.gold_first, -self.gold_last
        for rows in self.batches:
            lattice = forward_backward(emissions[np.maximum(rows, 0)], (rows >= 0).sum(axis=1), chain)
            loss += lattice.log_z.sum()
            probabilities = lattice.marginals()
            grad_emissions[rows[lattice.inside]] += probabilities[lattice.inside]
            grad_first = grad_first + probabilities[:, 0].sum(axis=0)
            grad_last = grad_last + probabilities[np.arange(len(rows)), lattice.inside.sum(axis=1) - 1].sum(axis=0)
            if rows.shape[1] > 1:
                later = lattice.potentials[:, 1:] * lattice.beta[:, 1:] / lattice.scale[:, 1:, None]
                later = later * lattice.inside[:, 1:, None] / lattice.final[:, None, None]
                grad_pairs = grad_pairs + np.einsum("bti,btj->ij", lattice.alpha[:, :-1], later) * np.exp(chain.transitions)
        loss += (weights**2).sum() / (2 * self.c)
        grad = np.concatenate([(np.asarray(self.transposed @ grad_emissions) + weights / self.c).ravel(),
                               grad_emissions.sum(axis=0), np.where(self.pairs, grad_pairs, 0.0).ravel(),
                               np.where(self.first, grad_first, 0.0), grad_last])  # fmt: skip
        return float(loss), grad


def fit_crf(
    features: Any, gold: np.ndarray, lengths: Sequence[int], tags: Sequence[str], c: float,
    coef: np.ndarray | None = None, bias: np.ndarray | None = None, max_iter: int = 200, progress: bool = True,
) -> CrfWeights:
    """Fit the CRF tagger.

    Args:
        features: The words' features, as for :class:`CrfObjective`.
        gold: Their gold tag ids, as for :class:`CrfObjective`.
        lengths: The sentences' lengths, as for :class:`CrfObjective`.
        tags: The IOB2 tags in id order.
        c: Inverse L2 strength of the feature weights.
        coef: Starting feature weights ``(F, K)`` (e.g. the maximum-entropy tagger's); zeros if ``None``.
        bias: Starting biases ``(K,)``.
        max_iter: L-BFGS iterations at most.
        progress: Show a tqdm bar of the iterations.

    Returns:
        The fitted weights.

    Raises:
        ValueError: If the shapes disagree, a sentence is empty or a gold sequence is not valid IOB2.
    """
    from scipy.optimize import minimize
    from tqdm.auto import tqdm

    objective = CrfObjective(features, gold, lengths, tags, c)
    k = len(tags)
    theta = np.zeros(objective.size + k + k * k + 2 * k)
    if coef is not None:
        theta[: objective.size] = np.asarray(coef, dtype=np.float64).ravel()
    if bias is not None:
        theta[objective.size : objective.size + k] = bias
    bar = tqdm(total=max_iter, desc="CRF tagger (L-BFGS)", disable=not progress, leave=False)
    result = minimize(objective, theta, jac=True, method="L-BFGS-B", callback=lambda *_: bar.update(1),
                      options={"maxiter": max_iter})  # fmt: skip
    bar.close()
    weights, biases, chain = objective.unpack(result.x)
    return CrfWeights(weights.astype(np.float32), biases.astype(np.float32), chain, int(result.nit), float(result.fun))
