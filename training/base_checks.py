"""Checks of what a fine-tuning run starts from: the ``base`` encoder or analyzer, and word vectors.

Each check fails before any model is loaded, with a :class:`~arabnews_nlp.errors.ConfigError`
that names the problem and the fix.

Example:
    >>> is_analyzer_dir("aubmindlab/bert-base-arabertv02")
    False
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

from arabnews_nlp.errors import ConfigError


def check_base(base: str, analyzer_ok: bool = True) -> None:
    """Fail early on a ``base`` that cannot be loaded: a file, a missing directory, pickle-only weights.

    A hub id (``org/name``) is left to Hugging Face to resolve. A local directory must be a
    Hugging Face model directory (``config.json``) with safetensors weights, or, when
    ``analyzer_ok``, a trained analyzer directory.

    Raises:
        ConfigError: Naming the problem and the fix.

    Example:
        >>> check_base("./no/such/dir")
        Traceback (most recent call last):
        ...
        arabnews_nlp.errors.ConfigError: base directory './no/such/dir' does not exist (and is not a hub id like org/name); check the path
    """
    from arabnews_nlp.model_checks import PICKLE_SUFFIXES

    local = Path(base).expanduser()
    if local.is_file():
        raise ConfigError(f"base {base!r} is a file; give an encoder or analyzer directory, or a hub id")
    if not local.exists():
        if base.startswith((".", "/", "~")) or base.count("/") > 1:
            raise ConfigError(f"base directory {base!r} does not exist (and is not a hub id like org/name); "
                              "check the path")  # fmt: skip
        return  # a hub id
    if is_analyzer_dir(str(local)):
        if not analyzer_ok:
            raise ConfigError(f"base {base!r} is an arabnews-nlp analyzer, not an encoder; give the encoder it "
                              "was trained from (its card names it), or evaluate the analyzer with "
                              "`python -m training evaluate`")  # fmt: skip
        return
    if (local / "checkpoint.pt").is_file() and (local / "encoder" / "config.json").is_file():
        raise ConfigError(f"base directory {base!r} is a pre-training run directory; its encoder is "
                          f"{str(local / 'encoder')!r}: give that")  # fmt: skip
    if not (local / "config.json").is_file():
        raise ConfigError(f"base directory {base!r} has no config.json: it is not a Hugging Face model directory "
                          "(pre-training writes one into RUN_DIR/encoder)")  # fmt: skip
    if not any(local.glob("*.safetensors")) and any(p.suffix in PICKLE_SUFFIXES for p in local.iterdir()):
        raise ConfigError(f"base directory {base!r} holds pickle weights only; arabnews-nlp loads safetensors "
                          "(pickle files can run code when loaded). Convert it once where you trust the file: "
                          "AutoModel.from_pretrained(DIR, use_safetensors=False).save_pretrained(DIR)")  # fmt: skip


@contextlib.contextmanager
def base_load_errors(base: str) -> Iterator[None]:
    r"""Turn a failure to load ``base`` (not found, no network, no such hub repository) into one line.

    Loaders inside must pass ``trust_remote_code=False``; a base that needs its own code is refused
    (:func:`arabnews_nlp.model_checks.no_remote_code`).

    Raises:
        ConfigError: Naming ``base`` and the first line of the loader's message.
        ModelFormatError: If ``base`` asks to run its own code.

    Example:
        >>> with base_load_errors("org/name"):
        ...     raise OSError("org/name is not a local folder and is not a valid model identifier\nmore")
        Traceback (most recent call last):
        ...
        arabnews_nlp.errors.ConfigError: cannot load the base encoder 'org/name': ...

    The message is the loader's first line (here ``org/name is not a local folder ...``) or, in
    offline mode, one that says so and how to get the model.
    """
    from arabnews_nlp.model_checks import no_remote_code

    try:
        with no_remote_code(base):
            yield
    except OSError as error:
        detail = str(error).splitlines()[0]
        if _hub_offline() and not Path(base).expanduser().exists():  # "couldn't connect": nothing was tried
            detail = (f"offline mode is on (HF_HUB_OFFLINE) and the Hugging Face cache has no copy of it; "
                      f"download it once where there is network (`hf download {base}`), or pass a local copy: "
                      "--base DIR")  # fmt: skip
        raise ConfigError(f"cannot load the base encoder {base!r}: {detail}") from None


def _hub_offline() -> bool:
    """Whether huggingface_hub is in offline mode (``HF_HUB_OFFLINE``, read when it was imported)."""
    from huggingface_hub import constants

    return bool(getattr(constants, "HF_HUB_OFFLINE", False))


def is_analyzer_dir(base: str) -> bool:
    """Whether ``base`` is a trained analyzer directory (it holds ``arabnews_nlp.json``), not an encoder.

    Example:
        >>> is_analyzer_dir("aubmindlab/bert-base-arabertv02")
        False
    """
    from arabnews_nlp.settings import SETTINGS_FILE

    return (Path(base) / SETTINGS_FILE).is_file()


def check_word_vectors(folder: str) -> None:
    """Fail when ``folder`` is not the output of ``python -m training word-vectors``.

    Raises:
        ConfigError: If ``folder`` has no ``vectors.safetensors``.
    """
    if not (Path(folder) / "vectors.safetensors").is_file():
        raise ConfigError(
            f"word_vectors {folder!r} has no vectors.safetensors; "
            "make it with `python -m training word-vectors --out DIR`"
        )
