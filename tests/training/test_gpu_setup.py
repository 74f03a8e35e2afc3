"""GPU set-ups this machine cannot run, each met with one error naming the fix.

bf16 without a bf16 GPU, a hub base in offline mode, a launch of processes that would each train alone.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
import transformers.utils

from arabnews_nlp.errors import ConfigError
from training.config import FinetuneConfig
from training.trainer import training_arguments


@pytest.fixture
def no_bf16_device(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(transformers.utils, "is_torch_bf16_gpu_available", lambda *a, **k: False)
    monkeypatch.setattr(transformers.utils, "is_torch_xla_available", lambda *a, **k: False)


def test_bf16_on_a_machine_without_cuda_is_a_config_error(
    tmp_path: Path, no_bf16_device: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Was transformers' ValueError traceback "Your setup doesn't support bf16/gpu. You need to assign use_cpu"."""
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    config = FinetuneConfig(base="enc", train=[], run_dir=str(tmp_path), bf16=True)
    with pytest.raises(ConfigError, match=r"bf16 is true.*no CUDA GPU.*bf16: false in the config or pass --no-bf16"):
        training_arguments(config)
    assert training_arguments(FinetuneConfig(base="enc", train=[], run_dir=str(tmp_path))).bf16 is False


def test_bf16_on_a_gpu_older_than_ampere_names_fp16(
    tmp_path: Path, no_bf16_device: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "get_device_name", lambda *a: "Tesla V100-SXM2-32GB")
    config = FinetuneConfig(base="enc", train=[], run_dir=str(tmp_path), bf16=True)
    with pytest.raises(ConfigError, match=r"Tesla V100.* does not support it: use fp16: true \(--fp16 --no-bf16\)"):
        training_arguments(config)


def test_no_bf16_turns_off_a_configs_bf16() -> None:
    """arabert_gpu.yaml sets bf16: true; on an older GPU --fp16 alone is refused (both true), so --no-bf16 is needed."""
    from training.anercorp import parse_args as anercorp_args
    from training.finetune import parse_args

    overrides = parse_args(["finetune", "--config", "c.yaml", "--no-bf16", "--fp16"]).overrides
    assert (overrides["bf16"], overrides["fp16"]) == (False, True)
    assert "bf16" not in parse_args(["finetune", "--config", "c.yaml"]).overrides  # the file's value stays
    assert anercorp_args(["anercorp", "--base", "enc", "--no-bf16"]).bf16 is False


def test_a_hub_base_in_offline_mode_says_offline_mode_and_how_to_get_it(monkeypatch: pytest.MonkeyPatch) -> None:
    """Was "We couldn't connect to 'https://huggingface.co'", though offline mode had tried nothing."""
    from huggingface_hub import constants

    from training.base_checks import base_load_errors

    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", True)
    with pytest.raises(ConfigError, match=r"'org/name': offline mode is on \(HF_HUB_OFFLINE\).*hf download org/name"):
        with base_load_errors("org/name"):
            raise OSError("We couldn't connect to 'https://huggingface.co' to load the files\nmore")
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", False)
    with pytest.raises(ConfigError, match=r"'org/name': We couldn't connect to 'https://huggingface.co' to load"):
        with base_load_errors("org/name"):
            raise OSError("We couldn't connect to 'https://huggingface.co' to load the files\nmore")


def test_anercorp_refuses_a_launch_whose_processes_would_each_train_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``torchrun --nproc_per_node 2 -m training anercorp`` without GPUs ran two whole benchmarks into one OUT."""
    from training.anercorp import _trainer, parse_args

    args = parse_args(["anercorp", "--base", "enc", "--out", str(tmp_path)])
    monkeypatch.setenv("WORLD_SIZE", "2")
    with pytest.raises(ConfigError, match=r"launched as 2 processes .* each process would train the whole run"):
        _trainer(args, None, None, None, [])


def test_a_launcher_precision_with_a_float32_config_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """accelerate config's bf16 trained a bf16: false run in bf16 while its card and --resume said float32."""
    from training.trainer import check_launcher_precision

    monkeypatch.setenv("ACCELERATE_MIXED_PRECISION", "bf16")
    config = FinetuneConfig(run_dir=str(tmp_path / "run"), output_dir=str(tmp_path / "out"))
    with pytest.raises(ConfigError, match=r"launcher asks for mixed precision 'bf16' .* set bf16: true or fp16: true"):
        training_arguments(config)
    check_launcher_precision(bf16=True, fp16=False)  # the config's own choice wins over the launcher's: no mismatch
    check_launcher_precision(bf16=False, fp16=True)
    monkeypatch.setenv("ACCELERATE_MIXED_PRECISION", "no")
    assert training_arguments(config).mixed_precision == "no"
    monkeypatch.delenv("ACCELERATE_MIXED_PRECISION")
    check_launcher_precision(bf16=False, fp16=False)
