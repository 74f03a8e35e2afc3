"""Device names and inference dtypes."""

from __future__ import annotations

import pytest
import torch

from arabnews_nlp.device import inference_dtype, resolve_device
from arabnews_nlp.errors import DeviceError


@pytest.mark.parametrize("name", ["cpu", "CPU", " cpu ", torch.device("cpu")])
def test_cpu(name: object) -> None:
    assert resolve_device(name) == torch.device("cpu")  # type: ignore[arg-type]


def test_auto() -> None:
    expected = "cuda" if torch.cuda.is_available() else "cpu"
    assert resolve_device("auto").type == expected
    assert resolve_device(None).type == expected


@pytest.mark.parametrize("name", ["gpu", "cuda:x", "cpu:0", "auto:1", "", "mps"])
def test_bad_names(name: str) -> None:
    with pytest.raises(DeviceError, match="unknown device"):
        resolve_device(name)


@pytest.mark.skipif(torch.cuda.is_available(), reason="needs a machine without CUDA")
@pytest.mark.parametrize("name", ["cuda", "cuda:0"])
def test_cuda_unavailable(name: str) -> None:
    with pytest.raises(DeviceError, match="CUDA is not available"):
        resolve_device(name)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_cuda_index_out_of_range() -> None:
    with pytest.raises(DeviceError, match="GPU"):
        resolve_device(f"cuda:{torch.cuda.device_count()}")


def test_dtypes() -> None:
    assert inference_dtype(torch.device("cpu")) == torch.float32
    assert inference_dtype(torch.device("cuda")) == torch.float16
    assert issubclass(DeviceError, ValueError)
