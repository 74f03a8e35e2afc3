"""A checkpoint save that fails for lack of space gives one line that says so (probe12 D8).

The disk is not filled: the Trainer's save of the optimizer raises what torch or the OS raise then.
"""

from __future__ import annotations

import errno
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from transformers import Trainer

from training.checkpoint_errors import CheckpointWriteError
from training.config import FinetuneConfig
from training.finetune import train

TORCH_UNEXPECTED_POS = "[enforce fail at inline_container.cc:672] . unexpected pos 91831488 vs 91831376"
TORCH_WRITE_FAILED = "[enforce fail at inline_container.cc:778] . PytorchStreamWriter failed writing file data/2: file write failed"


def _config(tmp_path: Path, encoder: Path, gold: Path) -> FinetuneConfig:
    """4 steps (2 per epoch), a checkpoint every 2."""
    return FinetuneConfig(base=str(encoder), train=[str(gold)], name="tiny", output_dir=str(tmp_path / "model"),
                          run_dir=str(tmp_path / "run"), epochs=2, batch_size=2, max_length=24, stride=6,
                          save_steps=2, save_total_limit=1, eval_each_epoch=False, seed=7)  # fmt: skip


def _failing_save(monkeypatch: pytest.MonkeyPatch, at_step: int, error: BaseException) -> None:
    """The optimizer's save (most of a checkpoint) raises ``error`` at ``at_step``."""
    save = Trainer._save_optimizer_and_scheduler

    def failing(self: Trainer, output_dir: str) -> None:
        if self.state.global_step == at_step:
            raise error
        save(self, output_dir)

    monkeypatch.setattr(Trainer, "_save_optimizer_and_scheduler", failing)


@pytest.mark.parametrize("error", [RuntimeError(TORCH_UNEXPECTED_POS), RuntimeError(TORCH_WRITE_FAILED),
                                   OSError(errno.ENOSPC, "No space left on device")])  # fmt: skip
def test_a_full_disk_while_saving_a_checkpoint_says_so(
    tmp_path: Path, tiny_encoder_dir: Path, gold_file: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str], error: BaseException, finetune_command_raising: Callable[[Any, BaseException], int],
) -> None:  # fmt: skip
    config = _config(tmp_path, tiny_encoder_dir, gold_file)
    _failing_save(monkeypatch, 4, error)
    with pytest.raises(CheckpointWriteError) as failed:
        train(config)
    run, message = Path(config.run_dir), str(failed.value)
    size = sum(p.stat().st_size for p in (run / "checkpoint-2").rglob("*") if p.is_file())
    start = re.match(rf"could not write checkpoint-4 in {re.escape(str(run))} \(disk full\?\): a checkpoint of this "
                     r"model takes ([\d.]+) MB \(checkpoint-2\) and ", message)  # fmt: skip
    assert start is not None and abs(float(start.group(1)) - size / 1e6) <= 0.005, message
    assert re.search(r" [\d.,]+ [MG]B is free there\. Free space, or raise --save-steps \(now 2\) or lower "
                     r"save_total_limit \(now 1;", message)  # fmt: skip
    assert f"rerun the same command with --resume: it continues from {run / 'checkpoint-2'}." in message
    assert "\n" not in message and failed.value.__cause__ is error
    # the command line prints that one line and exits 2, as for any error the user can fix
    assert finetune_command_raising(config, failed.value) == 2
    assert capsys.readouterr().err.strip().splitlines()[-1] == f"python -m training finetune: error: {message}"


def test_the_first_checkpoint_estimates_its_size_and_other_errors_pass(
    tmp_path: Path, tiny_encoder_dir: Path, gold_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = _config(tmp_path, tiny_encoder_dir, gold_file)
    train(config)
    saved = Path(config.run_dir) / "checkpoint-4"
    real = sum(p.stat().st_size for p in saved.rglob("*") if p.is_file())
    first = _config(tmp_path / "first", tiny_encoder_dir, gold_file)
    _failing_save(monkeypatch, 2, OSError(errno.ENOSPC, "No space left on device"))
    with pytest.raises(CheckpointWriteError) as failed:
        train(first)
    estimate = re.search(r"a checkpoint of this model takes about ([\d.]+) MB and ", str(failed.value))
    assert estimate is not None and 0.7 * real < float(estimate.group(1)) * 1e6 < 1.3 * real
    assert str(failed.value).endswith("--resume: no checkpoint was saved completely, so it starts over. "
                                      "(OSError: [Errno 28] No space left on device)")  # fmt: skip
    other = _config(tmp_path / "other", tiny_encoder_dir, gold_file)
    _failing_save(monkeypatch, 2, RuntimeError("an unrelated failure"))
    with pytest.raises(RuntimeError, match="an unrelated failure") as kept:
        train(other)
    assert not isinstance(kept.value, CheckpointWriteError)
