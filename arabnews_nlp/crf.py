"""Linear-chain CRF over IOB2 tags: posterior tag marginals by scaled forward-backward.

The n-gram word tagger (:mod:`arabnews_nlp.ngram`) can be a linear-chain conditional random
field: each word's tag scores come from its indicator features (the emissions), and a score for
every pair of consecutive tags, for the first tag and for the last (the transitions) ties them
together. The probability of a tag sequence is ``exp(score) / Z`` over every sequence whose
transitions are allowed; pairs that IOB2 forbids (``O`` → ``I-X``, ``B-X`` → ``I-Y``, a sentence
starting with ``I-X``) have no score and never occur. The runtime needs each word's **marginal**
tag distribution (``p(tag_t = k | sentence)``), the same kind of distribution the maximum-entropy
tagger gives, so the blend with the encoder and the Viterbi decoding of
:mod:`arabnews_nlp.tasks.ner` stay as they are.

The marginals come from the forward-backward algorithm in probability space, each step rescaled
to sum 1 (Rabiner's scaling), which is exact and needs no log-sum-exp; emissions are shifted by
their per-word maximum first so ``exp`` cannot overflow.

Example:
    >>> import numpy as np
    >>> tags = ["O", "B-PER", "I-PER"]
    >>> chain = ChainScores.initial(tags)
    >>> marginals(np.zeros((2, 3)), chain).round(3).tolist()  # I-PER cannot start a sentence
    [[0.4, 0.6, 0.0], [0.4, 0.4, 0.2]]
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

FORBIDDEN = -1.0e4
"""Score of a transition IOB2 forbids (``exp`` of it is 0 in float64)."""


def allowed_transitions(tags: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """Which tag pairs IOB2 allows (``(K, K)``, previous × next) and which tags may start a sentence (``(K,)``).

    ``I-X`` may only follow ``B-X`` or ``I-X``; every other tag may follow anything.

    Example:
        >>> pairs, first = allowed_transitions(["O", "B-LOC", "I-LOC"])
        >>> pairs.astype(int).tolist(), first.astype(int).tolist()
        ([[1, 1, 0], [1, 1, 1], [1, 1, 1]], [1, 1, 0])
    """
    inside = [tag[2:] if tag.startswith("I-") else None for tag in tags]
    pairs = np.array([[inside[j] is None or (tags[i][:2] in ("B-", "I-") and tags[i][2:] == inside[j])
                       for j in range(len(tags))] for i in range(len(tags))], dtype=bool)  # fmt: skip
    return pairs, np.array([name is None for name in inside], dtype=bool)


@dataclass(frozen=True)
class ChainScores:
    """The CRF's transition scores (forbidden ones at :data:`FORBIDDEN`).

    Attributes:
        transitions: ``(K, K)`` score of tag ``j`` right after tag ``i``.
        start: ``(K,)`` score of a sentence's first tag.
        end: ``(K,)`` score of a sentence's last tag.
    """

    transitions: np.ndarray
    start: np.ndarray
    end: np.ndarray

    @classmethod
    def initial(cls, tags: Sequence[str]) -> ChainScores:
        """All allowed transitions at score 0 (the start of training)."""
        return cls.masked(tags, np.zeros((len(tags), len(tags))), np.zeros(len(tags)), np.zeros(len(tags)))

    @classmethod
    def masked(cls, tags: Sequence[str], transitions: np.ndarray, start: np.ndarray, end: np.ndarray) -> ChainScores:
        """The given scores with the pairs and first tags IOB2 forbids set to :data:`FORBIDDEN`."""
        pairs, first = allowed_transitions(tags)
        return cls(np.where(pairs, transitions, FORBIDDEN).astype(np.float64),
                   np.where(first, start, FORBIDDEN).astype(np.float64), np.asarray(end, dtype=np.float64))  # fmt: skip


@dataclass(frozen=True)
class Lattice:
    """The scaled forward-backward quantities of a batch of sentences (padded to ``L`` words).

    Attributes:
        alpha: ``(B, L, K)`` forward variables, each word's row summing to 1.
        beta: ``(B, L, K)`` backward variables on the same scale.
        scale: ``(B, L)`` the sums the forward rows were divided by (1 at padding).
        potentials: ``(B, L, K)`` ``exp(emission - its row maximum)`` (0 at padding).
        final: ``(B,)`` ``sum(alpha[last] * exp(end))``.
        log_z: ``(B,)`` log partition function of each sentence.
        inside: ``(B, L)`` which positions are words.
    """

    alpha: np.ndarray
    beta: np.ndarray
    scale: np.ndarray
    potentials: np.ndarray
    final: np.ndarray
    log_z: np.ndarray
    inside: np.ndarray

    def marginals(self) -> np.ndarray:
        """``(B, L, K)`` posterior probability of each tag at each word (padding rows undefined)."""
        return self.alpha * self.beta / self.final[:, None, None]


def forward_backward(emissions: np.ndarray, lengths: np.ndarray, chain: ChainScores) -> Lattice:
    """Run the scaled forward-backward algorithm on a padded batch.

    Args:
        emissions: ``(B, L, K)`` tag scores of each word (any values at padding).
        lengths: ``(B,)`` number of words of each sentence, at least 1.
        chain: The transition scores.

    Returns:
        The lattice, from which :meth:`Lattice.marginals` and the gradient of training follow.
    """
    batch, length, _ = emissions.shape
    inside = np.arange(length)[None, :] < np.asarray(lengths)[:, None]
    shift = emissions.max(axis=2, keepdims=True)
    potentials = np.exp(emissions - shift) * inside[..., None]
    step, first, last = np.exp(chain.transitions), np.exp(chain.start), np.exp(chain.end)
    padded = not inside.all()  # one sentence, or a batch of equal lengths, skips the masking
    alpha, scale = np.empty_like(potentials), np.ones((batch, length))
    for t in range(length):
        row = first * potentials[:, 0] if t == 0 else (alpha[:, t - 1] @ step) * potentials[:, t]
        total = np.maximum(row.sum(axis=1), 1e-300)
        if t and padded:
            total = np.where(inside[:, t], total, 1.0)
            row = np.where(inside[:, t, None], row, alpha[:, t - 1])
        alpha[:, t], scale[:, t] = row / total[:, None], total
    final = np.maximum((alpha[np.arange(batch), np.asarray(lengths) - 1] * last).sum(axis=1), 1e-300)
    log_z = np.log(scale).sum(axis=1) + (shift[..., 0] * inside).sum(axis=1) + np.log(final)
    beta = np.empty_like(potentials)
    beta[:, length - 1] = last
    for t in range(length - 2, -1, -1):
        following = ((potentials[:, t + 1] * beta[:, t + 1]) @ step.T) / scale[:, t + 1, None]
        beta[:, t] = np.where(inside[:, t + 1, None], following, last) if padded else following
    return Lattice(alpha, beta, scale, potentials, final, log_z, inside)


def marginals(emissions: np.ndarray, chain: ChainScores) -> np.ndarray:
    """Return ``(L, K)`` posterior tag probabilities of one sentence's words from its ``(L, K)`` emissions.

    Example:
        >>> import numpy as np
        >>> chain = ChainScores.initial(["O", "B-LOC", "I-LOC"])
        >>> marginals(np.array([[0.0, 5.0, 0.0]]), chain).argmax(axis=1).tolist()
        [1]
    """
    return batch_marginals([emissions], chain)[0]


def batch_marginals(emissions: Sequence[np.ndarray], chain: ChainScores) -> list[np.ndarray]:
    """Return :func:`marginals` of several sentences, from one forward-backward over the padded batch.

    The forward-backward steps once per word position, so a batch costs about what its longest
    sentence costs alone.

    Example:
        >>> import numpy as np
        >>> chain = ChainScores.initial(["O", "B-LOC", "I-LOC"])
        >>> [rows.shape for rows in batch_marginals([np.zeros((2, 3)), np.zeros((0, 3))], chain)]
        [(2, 3), (0, 3)]
    """
    arrays = [np.asarray(rows, dtype=np.float64).reshape(-1, len(chain.start)) for rows in emissions]
    lengths = np.array([len(rows) for rows in arrays], dtype=np.int64)
    kept = np.flatnonzero(lengths)
    results = [np.zeros((0, len(chain.start))) for _ in arrays]
    if not len(kept):
        return results
    padded = np.zeros((len(kept), int(lengths.max()), len(chain.start)))
    for row, i in enumerate(kept):
        padded[row, : lengths[i]] = arrays[i]
    probabilities = forward_backward(padded, lengths[kept], chain).marginals()
    for row, i in enumerate(kept):
        results[i] = probabilities[row, : lengths[i]]
    return results
