"""training.sigterm_checkpoint: the SIGTERM stop agreed by every process of a distributed run."""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Any


def _any_rank_worker(rank: int, world: int, port: int, flags: list[bool], out: str) -> None:
    import torch.distributed as dist

    from training.sigterm_checkpoint import _on_any_rank

    dist.init_process_group("gloo", init_method=f"tcp://127.0.0.1:{port}", rank=rank, world_size=world)
    try:
        args: Any = type("Args", (), {"device": "cpu"})()
        seen = [_on_any_rank(flag, args) for flag in (flags[rank], False)]
        Path(f"{out}.{rank}").write_text(" ".join(map(str, seen)), encoding="utf-8")
    finally:
        dist.destroy_process_group()


def test_a_sigterm_on_one_rank_stops_every_rank_at_the_same_step(tmp_path: Path) -> None:
    """The signal may reach one worker only; a rank stopping alone would hang the others. No flag: no stop."""
    import torch.multiprocessing as mp

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    mp.spawn(_any_rank_worker, args=(2, port, [False, True], str(tmp_path / "seen")), nprocs=2, join=True)
    assert [(tmp_path / f"seen.{rank}").read_text(encoding="utf-8") for rank in (0, 1)] == ["True False", "True False"]
