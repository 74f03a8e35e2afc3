"""SIGTERM during long runs: raised as Terminated, or a flag read at a step boundary; handlers restored after."""

from __future__ import annotations

import os
import signal
import threading

import pytest

from arabnews_nlp.signals import SigtermFlag, Terminated, exit_status, sigterm_raises


def test_sigterm_raises_terminated_inside_and_restores_the_handler_after() -> None:
    before = signal.getsignal(signal.SIGTERM)
    with pytest.raises(Terminated, match="SIGTERM"), sigterm_raises():
        os.kill(os.getpid(), signal.SIGTERM)  # Python runs the handler right after the call returns
    assert signal.getsignal(signal.SIGTERM) is before
    assert isinstance(Terminated(), KeyboardInterrupt)  # the Ctrl-C clean-up paths run for it
    assert (exit_status(Terminated()), exit_status(KeyboardInterrupt())) == (143, 130)


def test_sigterm_flag_is_set_instead_of_ending_the_process_and_a_second_one_is_not_caught() -> None:
    before = signal.getsignal(signal.SIGTERM)
    with SigtermFlag() as sigterm:
        assert not sigterm.received
        os.kill(os.getpid(), signal.SIGTERM)
        assert sigterm.received
        assert signal.getsignal(signal.SIGTERM) == signal.SIG_DFL  # a second SIGTERM ends the process
    assert signal.getsignal(signal.SIGTERM) is before


def test_off_the_main_thread_nothing_is_installed() -> None:
    seen: list[object] = []

    def run() -> None:
        with sigterm_raises():
            seen.append(signal.getsignal(signal.SIGTERM))
        with SigtermFlag() as sigterm:
            seen.append(sigterm.received)

    before = signal.getsignal(signal.SIGTERM)
    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    assert seen == [before, False]
