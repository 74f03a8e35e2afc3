"""Dynamic int8 quantisation of the analyzer for faster CPU inference.

The encoder's ``nn.Linear`` layers (about 95 % of the FLOPs of a BERT encoder at sentence
lengths) get int8 weights, quantised once, and int8 activations, quantised per batch at run time;
embeddings, layer norms, attention softmax and the three small heads stay ``float32``, so the
logits stay on the same scale. The result runs on CPU only and is not saved: quantise after
loading (``quantize_analyzer(Analyzer.from_pretrained(...))``).

Backends: ``"torch"`` is ``torch.ao.quantization.quantize_dynamic`` (fbgemm/x86 kernels; still
shipped in torch 2.13 though marked deprecated, and the fastest eager option measured there);
``"torchao"`` is ``torchao.quantization.quantize_`` with ``Int8DynamicActivationInt8WeightConfig``
(the replacement torch points to; slower in eager mode on CPU). ``"auto"`` takes the first that is
available.

Example:
    >>> from arabnews_nlp import Analyzer
    >>> analyzer = quantize_analyzer(Analyzer.from_pretrained(device="cpu"))  # doctest: +SKIP
    >>> analyzer.analyze("قال السوداني في بغداد.").stance.label  # doctest: +SKIP
    'neutral'
"""

from __future__ import annotations

import copy
import warnings
from typing import TYPE_CHECKING, Any

from arabnews_nlp.errors import ConfigError, DeviceError, MissingDependencyError

if TYPE_CHECKING:
    from arabnews_nlp.api import Analyzer
    from arabnews_nlp.modeling import AnalyzerModel

BACKENDS = ("auto", "torch", "torchao")


def _torch_backend() -> Any | None:
    try:
        from torch.ao.quantization import quantize_dynamic as torch_quantize_dynamic
    except ImportError:  # removed in a future torch: use torchao
        return None
    return torch_quantize_dynamic


def _quantize_torch(encoder: Any, torch_quantize_dynamic: Any) -> None:
    import torch
    from torch import nn

    with warnings.catch_warnings():
        # torch marks torch.ao.quantization deprecated; the warning is for torch's maintainers'
        # migration plan, not something a user of this library can act on.
        warnings.filterwarnings("ignore", message=r".*torch\.ao\.quantization is deprecated.*")
        warnings.filterwarnings("ignore", message=r".*quantized tensor creation functions.*")
        torch_quantize_dynamic(encoder, {nn.Linear}, dtype=torch.qint8, inplace=True)


def _quantize_torchao(encoder: Any) -> None:
    try:
        from torchao.quantization import Int8DynamicActivationInt8WeightConfig, quantize_
    except ImportError as error:
        raise MissingDependencyError("torchao", None, "int8 quantisation on this torch version") from error
    quantize_(encoder, Int8DynamicActivationInt8WeightConfig())


def quantize_dynamic(model: AnalyzerModel, inplace: bool = False, backend: str = "auto") -> AnalyzerModel:
    """Return ``model`` with int8 dynamic quantisation of the encoder's linear layers.

    Args:
        model: An analyzer model on the CPU (``float16`` weights are converted to ``float32``).
        inplace: Quantise ``model`` itself instead of a copy.
        backend: ``"auto"``, ``"torch"`` (``torch.ao.quantization``) or ``"torchao"``.

    Returns:
        The quantised model, in eval mode.

    Raises:
        DeviceError: If the model is not on the CPU (int8 dynamic kernels are CPU kernels).
        ConfigError: If ``backend`` is unknown, or the model is already quantised.
        MissingDependencyError: If the chosen backend is not installed.

    Example:
        >>> from arabnews_nlp.model_dir import load_analyzer
        >>> model, tokenizer, settings = load_analyzer(device="cpu")  # doctest: +SKIP
        >>> int8 = quantize_dynamic(model)  # doctest: +SKIP
        >>> is_quantized(int8), is_quantized(model)  # doctest: +SKIP
        (True, False)
    """
    if backend not in BACKENDS:
        raise ConfigError(f"backend must be one of {BACKENDS}, got {backend!r}")
    device = next(model.parameters()).device
    if device.type != "cpu":
        raise DeviceError(
            f"int8 dynamic quantisation runs on the CPU, but the model is on {device}; "
            "load it with device='cpu' (on a GPU, the default float16 is the fast path)"
        )
    if is_quantized(model):
        raise ConfigError("the model is already quantised")
    target = model if inplace else copy.deepcopy(model)
    target.float().eval()
    torch_quantize_dynamic = _torch_backend() if backend in ("auto", "torch") else None
    if torch_quantize_dynamic is not None:
        _quantize_torch(target.encoder, torch_quantize_dynamic)
    elif backend == "torch":
        raise MissingDependencyError("torch.ao.quantization", None, "the 'torch' quantisation backend")
    else:
        _quantize_torchao(target.encoder)
    # A plain attribute (not in the config: a quantised model is not saved) that marks the model.
    object.__setattr__(target, "quantization", {"method": "dynamic_int8", "modules": "encoder.Linear", "backend": backend})
    return target


def is_quantized(model: Any) -> bool:
    """Return whether ``model`` went through :func:`quantize_dynamic`.

    Example:
        >>> import torch
        >>> is_quantized(torch.nn.Linear(2, 2))
        False
    """
    return bool(getattr(model, "quantization", None))


def quantize_analyzer(analyzer: Analyzer, inplace: bool = False, backend: str = "auto") -> Analyzer:
    """Return an :class:`~arabnews_nlp.api.Analyzer` whose model is quantised (see :func:`quantize_dynamic`).

    Args:
        analyzer: A CPU analyzer.
        inplace: Quantise its model in place and return the same analyzer.
        backend: See :func:`quantize_dynamic`.

    Raises:
        ConfigError: If the analyzer runs on the numpy backend (quantisation is a torch feature).

    Example:
        >>> from arabnews_nlp import Analyzer
        >>> fast = quantize_analyzer(Analyzer.from_pretrained(device="cpu"))  # doctest: +SKIP
    """
    from arabnews_nlp.api import Analyzer
    from arabnews_nlp.modeling import require_torch_model

    model = quantize_dynamic(require_torch_model(analyzer.model, "int8 quantisation"), inplace=inplace, backend=backend)
    if inplace:
        return analyzer
    return Analyzer(model, analyzer.tokenizer, analyzer.settings, card=analyzer.card)
