"""A model directory's tokenizer without transformers: ``tokenizer.json`` through ``tokenizers``.

:func:`arabnews_nlp.encoding.encode_span` needs only the backend tokenizer and the ids of the
special tokens, so the numpy backend loads those directly (importing transformers costs more
than a second). The special tokens are read from ``tokenizer_config.json`` as transformers
writes it.

Example:
    >>> # tokenizer = FastTokenizer.from_directory(Path("models/default"))
    >>> # tokenizer.cls_token_id, tokenizer.sep_token_id -> (2, 3)
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from arabnews_nlp.errors import ModelFormatError

SPECIAL_TOKENS = ("cls", "sep", "bos", "eos", "pad", "unk", "mask")


class FastTokenizer:
    """The parts of a Hugging Face fast tokenizer that arabnews-nlp's inference uses.

    Args:
        backend_tokenizer: A ``tokenizers.Tokenizer``.
        special_tokens: ``"cls"``, ``"sep"``, ... -> token text.

    Attributes:
        cls_token_id, sep_token_id, bos_token_id, eos_token_id, pad_token_id, unk_token_id,
            mask_token_id: The ids of the special tokens, ``None`` for those the tokenizer lacks.

    Raises:
        ModelFormatError: If a named special token is not in the vocabulary.

    Example:
        >>> from tokenizers import Tokenizer, models
        >>> backend = Tokenizer(models.WordLevel({"[CLS]": 0, "[SEP]": 1, "[PAD]": 2, "a": 3}, unk_token="[PAD]"))
        >>> FastTokenizer(backend, {"cls": "[CLS]", "sep": "[SEP]", "pad": "[PAD]"}).sep_token_id
        1
    """

    is_fast = True
    cls_token_id: int | None
    sep_token_id: int | None
    bos_token_id: int | None
    eos_token_id: int | None
    pad_token_id: int | None
    unk_token_id: int | None
    mask_token_id: int | None

    def __init__(self, backend_tokenizer: Any, special_tokens: dict[str, str]) -> None:
        self.backend_tokenizer = backend_tokenizer
        for kind in SPECIAL_TOKENS:
            token = special_tokens.get(kind)
            token_id = backend_tokenizer.token_to_id(token) if token is not None else None
            if token is not None and token_id is None:
                raise ModelFormatError(f"the {kind} token {token!r} is not in the tokenizer's vocabulary")
            setattr(self, f"{kind}_token_id", token_id)

    @classmethod
    def from_directory(cls, directory: Path) -> FastTokenizer:
        """Load ``tokenizer.json`` and the special tokens of ``tokenizer_config.json``.

        Raises:
            ModelFormatError: If either file is unreadable.
        """
        from tokenizers import Tokenizer

        try:
            backend = Tokenizer.from_file(str(directory / "tokenizer.json"))
            config = json.loads((directory / "tokenizer_config.json").read_text(encoding="utf-8"))
        except Exception as error:  # tokenizers raises a bare Exception on a malformed file
            raise ModelFormatError(f"cannot read the tokenizer in {directory}: {error}") from error
        special: dict[str, str] = {}
        for kind in SPECIAL_TOKENS:
            value = config.get(f"{kind}_token")
            if isinstance(value, dict):  # an AddedToken written out in full
                value = value.get("content")
            if isinstance(value, str):
                special[kind] = value
        return cls(backend, special)

    def get_vocab(self) -> dict[str, int]:
        """Token text -> id, added tokens included."""
        vocab: dict[str, int] = self.backend_tokenizer.get_vocab(with_added_tokens=True)
        return vocab

    def __len__(self) -> int:
        return int(self.backend_tokenizer.get_vocab_size(with_added_tokens=True))
