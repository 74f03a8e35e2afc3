"""A torch-free twin of :class:`~arabnews_nlp.modeling.AnalyzerModel` for fast cold starts on CPU.

``import torch`` alone takes about 2 s on a small CPU machine, more than loading and running the
compact default model. :class:`NumpyAnalyzerModel` reads the same ``model.safetensors`` with
``safetensors.numpy`` and runs the same forward pass (BERT encoder, hashed whole-word
embeddings, the three heads) in NumPy, whose matrix products use the multi-threaded BLAS NumPy
ships with. Its logits match the torch model's to about 1e-5 (tests/test_numpy_backend.py), so
decoding gives the same analyses. It supports BERT encoders with absolute positions and the
``gelu`` / ``gelu_new`` / ``relu`` activations, which covers the bundled model and the AraBERT
family; anything else raises :class:`~arabnews_nlp.errors.ModelFormatError` naming the torch
backend as the fix.

Example:
    >>> from arabnews_nlp import Analyzer
    >>> analyzer = Analyzer.from_pretrained(backend="numpy")  # doctest: +SKIP
    >>> "torch" in __import__("sys").modules  # doctest: +SKIP
    False
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from arabnews_nlp.errors import ModelFormatError
from arabnews_nlp.schema import EVENT_TYPES, NER_TAGS, STANCE_LABELS, check_labels
from arabnews_nlp.word_hash import HASH_MODULUS, PIECE_CONTINUATION, PIECE_SPECIAL, hash_powers

MODEL_TYPE = "arabnews_analyzer"
ACTIVATIONS = ("gelu", "gelu_new", "gelu_pytorch_tanh", "relu")
_ERF = (0.254829592, -0.284496736, 1.421413741, -1.453152027, 1.061405429, 0.3275911)


@dataclass(frozen=True)
class NumpyOutput:
    """Logits of one batch (``float32``), shaped like :class:`~arabnews_nlp.modeling.AnalyzerOutput`'s."""

    ner_logits: np.ndarray
    stance_logits: np.ndarray
    event_logits: np.ndarray


def _erf(x: np.ndarray) -> np.ndarray:
    """Error function, Abramowitz & Stegun 7.1.26 (absolute error below 1.5e-7), mostly in place."""
    a1, a2, a3, a4, a5, p = (np.float32(c) for c in _ERF)
    ax = np.abs(x)
    t = ax * p
    t += 1.0
    np.reciprocal(t, out=t)
    poly = t * a5
    for coefficient in (a4, a3, a2, a1):
        poly += coefficient
        poly *= t
    np.square(ax, out=ax)
    np.negative(ax, out=ax)
    np.exp(ax, out=ax)
    poly *= ax
    np.subtract(1.0, poly, out=poly)
    return np.copysign(poly, x, out=poly)


def _activation(name: str, x: np.ndarray) -> np.ndarray:
    if name == "gelu":
        out = _erf(x * np.float32(0.7071067811865476))
        out += 1.0
        out *= x
        out *= 0.5
        return out
    if name in ("gelu_new", "gelu_pytorch_tanh"):
        return 0.5 * x * (1.0 + np.tanh(np.float32(0.7978845608028654) * (x + np.float32(0.044715) * x * x * x)))
    return np.maximum(x, 0)


def _layer_norm(x: np.ndarray, weight: np.ndarray, bias: np.ndarray, eps: float) -> np.ndarray:
    """Layer norm over the last axis; overwrites ``x`` (always a temporary here)."""
    x -= x.mean(axis=-1, keepdims=True)
    scale = np.square(x).mean(axis=-1, keepdims=True)
    scale += np.float32(eps)
    np.sqrt(scale, out=scale)
    x /= scale
    x *= weight
    x += bias
    return x


def _softmax_(x: np.ndarray) -> np.ndarray:
    """Softmax over the last axis, in place."""
    x -= x.max(axis=-1, keepdims=True)
    np.exp(x, out=x)
    x /= x.sum(axis=-1, keepdims=True)
    return x


def read_config(directory: Path) -> dict[str, Any]:
    """Read and check ``config.json`` without transformers: an analyzer with the schema's labels.

    Raises:
        ModelFormatError: If it is not an arabnews-nlp analyzer or its encoder is not supported here.
        LabelMismatchError: If its labels differ from :mod:`arabnews_nlp.schema`.

    Example:
        >>> # read_config(Path("models/default"))["encoder"]["hidden_size"] -> 256
    """
    path = directory / "config.json"
    try:
        config = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ModelFormatError(f"{path} cannot be read as JSON: {error}") from error
    if not isinstance(config, dict) or config.get("model_type") != MODEL_TYPE:
        found = config.get("model_type") if isinstance(config, dict) else None
        raise ModelFormatError(
            f"{path} has model_type {found!r}, not {MODEL_TYPE!r}: this is not an arabnews-nlp analyzer "
            "(a plain encoder must be fine-tuned first: python -m training finetune)"
        )
    id2label = {int(k): v for k, v in (config.get("id2label") or {}).items()}
    check_labels("ner", [id2label[i] for i in range(len(id2label))], NER_TAGS)
    check_labels("stance", config.get("stance_labels") or [], STANCE_LABELS)
    check_labels("events", config.get("event_labels") or [], EVENT_TYPES)
    encoder = config.get("encoder") or {}
    unsupported = []
    if encoder.get("model_type") != "bert":
        unsupported.append(f"encoder model_type {encoder.get('model_type')!r} (only 'bert')")
    if encoder.get("hidden_act", "gelu") not in ACTIVATIONS:
        unsupported.append(f"hidden_act {encoder.get('hidden_act')!r} (only {', '.join(ACTIVATIONS)})")
    if encoder.get("position_embedding_type", "absolute") != "absolute":
        unsupported.append(f"position_embedding_type {encoder.get('position_embedding_type')!r}")
    if config.get("sentence_pooling", "cls") not in ("cls", "mean"):
        unsupported.append(f"sentence_pooling {config.get('sentence_pooling')!r}")
    if unsupported:
        raise ModelFormatError(
            f"{path}: the numpy backend does not support {'; '.join(unsupported)}; load it with backend='torch'"
        )
    return config


class NumpyAnalyzerModel:
    """The analyzer's forward pass in NumPy (inference only, CPU, ``float32``).

    Args:
        config: The parsed ``config.json`` (see :func:`read_config`).
        weights: Tensor name -> array, as saved by ``AnalyzerModel.save_pretrained``.

    Raises:
        ModelFormatError: If a weight is missing.

    Example:
        >>> # model = NumpyAnalyzerModel.from_pretrained(Path("models/default"))
        >>> # model(input_ids, attention_mask).ner_logits.shape -> (batch, seq, 9)
    """

    device = "cpu"
    backend = "numpy"

    def __init__(self, config: dict[str, Any], weights: dict[str, np.ndarray]) -> None:
        self.config = config
        encoder = config["encoder"]
        self.heads = int(encoder["num_attention_heads"])
        self.layers = int(encoder["num_hidden_layers"])
        self.eps = float(encoder.get("layer_norm_eps", 1e-12))
        self.activation = str(encoder.get("hidden_act", "gelu"))
        self.pooling = str(config.get("sentence_pooling", "cls"))
        self.word_buckets = int(config.get("word_buckets", 0) or 0)
        missing = [name for name in self._required_weights() if name not in weights]
        if missing:
            raise ModelFormatError(
                f"model.safetensors has no tensor {missing[0]!r} ({len(missing)} missing); it does not hold a "
                "BERT analyzer the numpy backend can run: load it with backend='torch'"
            )
        # Linear weights are kept only transposed and contiguous (``_t``), so every product is a
        # plain row-major GEMM; the rest (embeddings, biases, norms) stays in ``_w``.
        linear = {
            name for name, array in weights.items()
            if name.endswith(".weight") and array.ndim == 2 and "embeddings" not in name
        }
        self._w = {name: array for name, array in weights.items() if name not in linear}
        self._t = {name[: -len(".weight")]: np.ascontiguousarray(weights[name].T) for name in linear}
        for index in range(self.layers):  # one product for query, key and value
            prefix = f"encoder.encoder.layer.{index}.attention.self"
            parts = [f"{prefix}.{name}" for name in ("query", "key", "value")]
            self._t[f"{prefix}.qkv"] = np.ascontiguousarray(np.concatenate([self._t.pop(part) for part in parts], axis=1))
            self._w[f"{prefix}.qkv.bias"] = np.concatenate([self._w.pop(f"{part}.bias") for part in parts])
        if self.word_buckets:
            self._powers = np.array(hash_powers(int(encoder.get("max_position_embeddings", 512))), dtype=np.int64)
            self._piece_kind = weights["piece_kind"].astype(np.int64)

    def _required_weights(self) -> list[str]:
        names = [f"encoder.embeddings.{part}" for part in ("word_embeddings.weight", "position_embeddings.weight", "LayerNorm.weight", "LayerNorm.bias")]
        for index in range(self.layers):
            prefix = f"encoder.encoder.layer.{index}"
            for part in ("attention.self.query", "attention.self.key", "attention.self.value", "attention.output.dense",
                         "attention.output.LayerNorm", "intermediate.dense", "output.dense", "output.LayerNorm"):  # fmt: skip
                names += [f"{prefix}.{part}.weight", f"{prefix}.{part}.bias"]
        for head in ("ner_head", "stance_head", "event_head"):
            names += [f"{head}.weight", f"{head}.bias"]
        if self.word_buckets:
            names += ["word_embeddings.weight", "word_projection.weight", "piece_kind"]
        return names

    @classmethod
    def from_pretrained(cls, directory: Path) -> NumpyAnalyzerModel:
        """Load ``config.json`` and ``model.safetensors`` from ``directory`` (weights as ``float32``).

        Raises:
            ModelFormatError: See :func:`read_config`; also for sharded or damaged weights.
        """
        from arabnews_nlp.weights_file import load_numpy

        config = read_config(directory)
        path = directory / "model.safetensors"
        if not path.is_file():
            raise ModelFormatError(f"{path} is missing (sharded weights are not supported by the numpy backend; use backend='torch')")
        weights = {
            name: (array.astype(np.float32) if array.dtype.kind == "f" else array) for name, array in load_numpy(path).items()
        }
        return cls(config, weights)

    def _linear(self, x: np.ndarray, prefix: str) -> np.ndarray:
        """``x @ weight.T + bias`` as one 2-D BLAS product (weights are stored transposed)."""
        out = x.reshape(-1, x.shape[-1]) @ self._t[prefix]
        bias = self._w.get(f"{prefix}.bias")
        if bias is not None:
            out += bias
        return out.reshape(*x.shape[:-1], out.shape[-1])

    def word_bucket_ids(self, input_ids: np.ndarray) -> np.ndarray:
        """Per token, the row of its whole word's embedding (0 outside words); as the torch model."""
        kind = self._piece_kind[input_ids]
        batch, seq = input_ids.shape
        positions = np.broadcast_to(np.arange(seq), (batch, seq))
        starts = (kind != PIECE_CONTINUATION) | (positions == 0)
        leader = np.maximum.accumulate(np.where(starts, positions, 0), axis=1)
        rank = np.minimum(positions - leader, self._powers.size - 1)
        terms = (input_ids.astype(np.int64) + 1) * self._powers[rank] % HASH_MODULUS
        # Words are runs of tokens: number them across the batch and sum each run's terms
        # (below 2**38, exact in float64's 53-bit mantissa).
        word = np.cumsum(starts.ravel()) - 1
        sums = np.bincount(word, weights=terms.ravel().astype(np.float64)).astype(np.int64)
        hashes = (sums % HASH_MODULUS)[word].reshape(batch, seq)
        buckets = 1 + hashes % (self.word_buckets - 1)
        outside = np.take_along_axis(kind, leader, axis=1) == PIECE_SPECIAL
        return np.where(outside, 0, buckets)

    def _embed(self, input_ids: np.ndarray) -> np.ndarray:
        w = self._w
        seq = input_ids.shape[1]
        x = w["encoder.embeddings.word_embeddings.weight"][input_ids]
        if self.word_buckets:
            x = x + self._linear(w["word_embeddings.weight"][self.word_bucket_ids(input_ids)], "word_projection")
        x = x + w["encoder.embeddings.position_embeddings.weight"][:seq]
        token_types = w.get("encoder.embeddings.token_type_embeddings.weight")
        if token_types is not None:
            x = x + token_types[0]
        return _layer_norm(x, w["encoder.embeddings.LayerNorm.weight"], w["encoder.embeddings.LayerNorm.bias"], self.eps)

    def _layer(self, x: np.ndarray, mask_bias: np.ndarray, index: int) -> np.ndarray:
        w, prefix = self._w, f"encoder.encoder.layer.{index}"
        batch, seq, hidden = x.shape
        size = hidden // self.heads

        # One GEMM for query, key and value: (batch, seq, 3, heads, size) -> 3 x (batch, heads, seq, size).
        qkv = self._linear(x, f"{prefix}.attention.self.qkv").reshape(batch, seq, 3, self.heads, size)
        query, key, value = qkv.transpose(2, 0, 3, 1, 4)
        scores = query @ key.transpose(0, 1, 3, 2)
        scores *= np.float32(1.0 / np.sqrt(size))
        scores += mask_bias
        context = (_softmax_(scores) @ value).transpose(0, 2, 1, 3).reshape(batch, seq, hidden)
        x = _layer_norm(
            self._linear(context, f"{prefix}.attention.output.dense") + x,
            w[f"{prefix}.attention.output.LayerNorm.weight"], w[f"{prefix}.attention.output.LayerNorm.bias"], self.eps,
        )
        inner = _activation(self.activation, self._linear(x, f"{prefix}.intermediate.dense"))
        return _layer_norm(
            self._linear(inner, f"{prefix}.output.dense") + x,
            w[f"{prefix}.output.LayerNorm.weight"], w[f"{prefix}.output.LayerNorm.bias"], self.eps,
        )

    def __call__(self, input_ids: np.ndarray, attention_mask: np.ndarray | None = None) -> NumpyOutput:
        """Run the encoder once and every head.

        Args:
            input_ids: ``(batch, seq)`` token ids.
            attention_mask: 1 for real tokens, 0 for padding (all ones when omitted).

        Returns:
            NER logits ``(batch, seq, tags)``, stance and event logits ``(batch, labels)``.
        """
        input_ids = np.asarray(input_ids, dtype=np.int64)
        mask = np.ones_like(input_ids) if attention_mask is None else np.asarray(attention_mask)
        mask_bias = np.where(mask[:, None, None, :] > 0, np.float32(0.0), np.finfo(np.float32).min).astype(np.float32)
        x = self._embed(input_ids)
        for index in range(self.layers):
            x = self._layer(x, mask_bias, index)
        if self.pooling == "mean":
            weights = mask[..., None].astype(np.float32)
            sentence = (x * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1.0)
        else:
            sentence = x[:, 0]
        return NumpyOutput(
            ner_logits=self._linear(x, "ner_head").astype(np.float32),
            stance_logits=self._linear(sentence, "stance_head").astype(np.float32),
            event_logits=self._linear(sentence, "event_head").astype(np.float32),
        )
