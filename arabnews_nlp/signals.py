"""SIGTERM for long runs: end them as Ctrl-C does, or at the next step boundary.

Schedulers and containers stop a job with SIGTERM (Slurm's ``scancel`` and preemption,
Kubernetes, ``docker stop``, ``kill``), then SIGKILL after a grace period. Python's default for
SIGTERM ends the process at once, without the cleanup a Ctrl-C gets, and Ray's driver handler
prints a C stack and exits with status 15. Two ways to do better, both only while a run lasts:

* :func:`sigterm_raises`: SIGTERM raises :class:`Terminated` (a ``KeyboardInterrupt``) in the main
  thread, so a corpus run flushes what it wrote and says how to go on, exactly as on Ctrl-C;
* :class:`SigtermFlag`: SIGTERM only sets a flag, which a training loop reads at the end of a step
  to save a checkpoint there and stop.

Example:
    >>> with sigterm_raises():
    ...     pass  # a SIGTERM in here raises Terminated
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
from collections.abc import Iterator
from types import FrameType, TracebackType
from typing import Any

TERMINATED = "terminated (SIGTERM)"
"""How a run stopped by SIGTERM says so (:class:`Terminated`'s message, :func:`stop_reason`)."""

EXIT_INTERRUPTED = 130
"""Exit status after Ctrl-C (128 + SIGINT), as shells report it."""

EXIT_TERMINATED = 143
"""Exit status after SIGTERM (128 + SIGTERM), as shells report it."""


EXIT_CLOSED_PIPE = 141
"""Exit status when the reader of standard output went away (128 + SIGPIPE), as shells report it."""


class Terminated(KeyboardInterrupt):
    """The process got SIGTERM while a run was under way.

    A ``KeyboardInterrupt``, so that everything that ends a run cleanly on Ctrl-C (flushing
    output, naming the checkpoint to resume from) runs for it too, and a caller's
    ``except Exception`` does not swallow it.
    """


def stop_reason(interruption: KeyboardInterrupt) -> str:
    """``"terminated (SIGTERM)"`` or ``"interrupted"`` (Ctrl-C): how a run stopped, for its last message."""
    return TERMINATED if isinstance(interruption, Terminated) else "interrupted"


def exit_status(interruption: KeyboardInterrupt) -> int:
    """The shell's exit status for an interrupted run: 143 after SIGTERM, 130 after Ctrl-C."""
    return EXIT_TERMINATED if isinstance(interruption, Terminated) else EXIT_INTERRUPTED


def closed_pipe_status() -> int:
    """End a command whose stdout's reader stopped early (``| head``): 141 (128 + SIGPIPE), no traceback.

    Standard output is pointed at ``/dev/null``, so that the interpreter's last flush on exit does
    not fail on the closed pipe again.
    """
    with contextlib.suppress(OSError):
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return EXIT_CLOSED_PIPE


def _in_main_thread() -> bool:
    """Signal handlers can only be set from the main thread."""
    return threading.current_thread() is threading.main_thread()


def _restore(previous: Any) -> None:
    """Put back a handler read by ``signal.signal`` (``None`` when it was set outside Python)."""
    signal.signal(signal.SIGTERM, signal.SIG_DFL if previous is None else previous)


@contextlib.contextmanager
def sigterm_raises() -> Iterator[None]:
    """While inside, SIGTERM raises :class:`Terminated` in the main thread; the previous handler is back after.

    Outside the main thread (where Python cannot set handlers) it does nothing.
    """
    if not _in_main_thread():
        yield
        return

    def handler(signum: int, frame: FrameType | None) -> None:
        raise Terminated(TERMINATED)

    previous = signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        _restore(previous)


class SigtermFlag:
    """A context manager under which SIGTERM sets :attr:`received` instead of ending the process.

    For loops that stop cleanly at a step boundary (save a checkpoint, then stop). A second
    SIGTERM, once the flag is set, ends the process as by default. Outside the main thread the
    handler cannot be set and :attr:`received` stays ``False``.

    Example:
        >>> with SigtermFlag() as sigterm:
        ...     stop = sigterm.received  # read at the end of each step
    """

    def __init__(self) -> None:
        self.received = False
        self._previous: Any = None
        self._installed = False

    def _handler(self, signum: int, frame: FrameType | None) -> None:
        self.received = True
        signal.signal(signal.SIGTERM, signal.SIG_DFL)  # a second SIGTERM is not ignored

    def __enter__(self) -> SigtermFlag:
        if _in_main_thread():
            self._previous = signal.signal(signal.SIGTERM, self._handler)
            self._installed = True
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None) -> None:
        if self._installed:
            _restore(self._previous)
            self._installed = False
