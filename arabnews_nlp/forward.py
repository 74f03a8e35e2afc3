"""The forward pass of the analyzer: windows in, each window's logits out.

The windows (of the sentences of several documents) are sorted by length and run in batches of
``batch_size``, so padding stays small; the outputs come back in input order, padding removed,
as NumPy ``float32``. Both backends run here: the torch model (imported only when it runs) and
its torch-free twin :class:`~arabnews_nlp.numpy_model.NumpyAnalyzerModel`.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from arabnews_nlp.encoding import Window, collate

if TYPE_CHECKING:
    import numpy as np

    from arabnews_nlp.modeling import AnalyzerModel
    from arabnews_nlp.numpy_model import NumpyAnalyzerModel


@dataclass
class Outputs:
    """Per window, its logits (NumPy ``float32``, padding removed)."""

    ner: list[np.ndarray]
    stance: list[np.ndarray]
    events: list[np.ndarray]

    def part(self, window_slice: slice) -> Outputs:
        """The outputs of the windows in ``window_slice`` (one document's, one sentence's)."""
        return Outputs(self.ner[window_slice], self.stance[window_slice], self.events[window_slice])


def forward(model: AnalyzerModel | NumpyAnalyzerModel, tokenizer: Any, windows: Sequence[Window], batch_size: int) -> Outputs:
    """Run ``model`` over ``windows`` in length-sorted batches; outputs in input order."""
    order = sorted(range(len(windows)), key=lambda i: len(windows[i].input_ids))
    ner_out: list[Any] = [None] * len(windows)
    stance_out: list[Any] = [None] * len(windows)
    event_out: list[Any] = [None] * len(windows)
    pad = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else 0
    batches = [order[first : first + batch_size] for first in range(0, len(order), batch_size)]
    run = _run_numpy if getattr(model, "backend", "torch") == "numpy" else _run_torch
    for indices, (ner_logits, stance_logits, event_logits) in zip(batches, run(model, windows, batches, pad)):
        for row, i in enumerate(indices):
            ner_out[i] = ner_logits[row, : len(windows[i].input_ids)]
            stance_out[i] = stance_logits[row]
            event_out[i] = event_logits[row]
    return Outputs(ner_out, stance_out, event_out)


def _run_torch(
    model: AnalyzerModel | NumpyAnalyzerModel, windows: Sequence[Window], batches: list[list[int]], pad: int
) -> Iterator[tuple[np.ndarray, ...]]:
    import torch

    from arabnews_nlp.modeling import require_torch_model

    torch_model = require_torch_model(model, "the torch backend")
    with torch.inference_mode():
        for indices in batches:
            batch = {k: v.to(torch_model.device) for k, v in collate([windows[i] for i in indices], pad).items()}
            output = torch_model(**batch)
            yield tuple(
                logits.float().cpu().numpy()
                for logits in (output.ner_logits, output.stance_logits, output.event_logits)
            )


def _run_numpy(
    model: AnalyzerModel | NumpyAnalyzerModel, windows: Sequence[Window], batches: list[list[int]], pad: int
) -> Iterator[tuple[np.ndarray, ...]]:
    for indices in batches:
        output = model(**collate([windows[i] for i in indices], pad, return_tensors="np"))
        yield output.ner_logits, output.stance_logits, output.event_logits
