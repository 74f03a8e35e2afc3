"""The ANERcorp benchmark command, on a tiny fake copy of the split (the real one is too slow here)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from training.anercorp import (
    ANERCORP_TAGS,
    TEST_FILES,
    TRAIN_FILE,
    main,
    split_dev,
    token_tags_of_words,
    word_tags_of_tokens,
)

SENTENCES = [
    [("زار", "O"), ("ساركوزي", "B-PERS"), ("بغداد", "B-LOC"), (".", "O")],
    [("أعلن", "O"), ("اتحاد", "B-ORG"), ("صناعة", "I-ORG"), ("السيارات", "I-ORG"), ("في", "O"), ("ألمانيا", "B-LOC")],
    [("قال", "O"), ("بوش", "B-PERS"), ("(د", "O"), ("ب", "O"), ("أ)", "O"), ("اليورو", "B-MISC")],
]


def _write(path: Path, sentences: list[list[tuple[str, str]]]) -> None:
    path.write_text("\n\n".join("\n".join(f"{w} {t}" for w, t in s) for s in sentences) + "\n", encoding="utf-8")


def test_tags_roundtrip_through_words() -> None:
    tokens, tags = ["(د", "ب", "بغداد،"], ["B-ORG", "I-ORG", "B-LOC"]
    words = word_tags_of_tokens(tokens, tags)
    assert words == ["B-ORG", "I-ORG", "I-ORG", "B-LOC", "I-LOC"]
    assert token_tags_of_words(tokens, words) == tags
    assert ANERCORP_TAGS == ("O", "B-PERS", "I-PERS", "B-LOC", "I-LOC", "B-ORG", "I-ORG", "B-MISC", "I-MISC")
    assert [len(part) for part in split_dev(list(range(25)))] == [22, 3]  # type: ignore[arg-type]


def test_command_writes_results(tmp_path: Path, tiny_encoder_dir: Path, capsys: Any) -> None:
    data = tmp_path / "anercorp"
    data.mkdir()
    _write(data / TRAIN_FILE, SENTENCES * 4)
    for file in TEST_FILES.values():
        _write(data / file, SENTENCES)
    out = tmp_path / "out"
    argv = ["anercorp", "--base", str(tiny_encoder_dir), "--data-dir", str(data), "--out", str(out), "--epochs", "2",
            "--batch-size", "4", "--max-length", "16", "--stride", "4", "--save-model"]  # fmt: skip
    assert main(argv) == 0
    saved = json.loads((out / "model" / "tokenizer_config.json").read_text(encoding="utf-8"))
    assert not {"local_files_only", "is_local"} & saved.keys()  # how this session loaded it, not the model's
    assert (out / "model" / "model.safetensors").is_file()
    results = json.loads((out / "anercorp.json").read_text(encoding="utf-8"))
    assert set(TEST_FILES) | {"dev", "selected_epoch", "history", "command"} <= set(results)
    assert [h["epoch"] for h in results["history"]] == [1.0, 2.0]
    assert 0.0 <= results["test.reconstructed"]["f1"] <= 1.0
    assert results["command"].startswith("python -m training anercorp --base")
    assert "test.official_as_found" in capsys.readouterr().out


def test_command_refuses_bases_it_cannot_train(tmp_path: Path, tiny_encoder_dir: Path, tiny_model_dir: Path) -> None:
    """An analyzer, a folder without config.json, pickle-only weights, windows longer than the encoder: clear errors."""
    import shutil

    import pytest

    from arabnews_nlp.errors import ConfigError

    def run(base: Path, *extra: str) -> int:
        return main(["anercorp", "--base", str(base), "--out", str(tmp_path / "out"), "--data-dir", str(tmp_path), *extra])

    with pytest.raises(ConfigError, match="is an arabnews-nlp analyzer, not an encoder"):
        run(tiny_model_dir)
    (tmp_path / "empty").mkdir()
    with pytest.raises(ConfigError, match="has no config.json"):
        run(tmp_path / "empty")
    pickled = tmp_path / "pickled"
    shutil.copytree(tiny_encoder_dir, pickled)
    for weights in pickled.glob("*.safetensors"):
        weights.rename(pickled / "pytorch_model.bin")
    with pytest.raises(ConfigError, match="holds pickle weights only"):
        run(pickled)
    with pytest.raises(ConfigError, match="does not exist"):
        run(tmp_path / "no" / "such")
    data = tmp_path / "anercorp"
    data.mkdir()
    for file in [TRAIN_FILE, *TEST_FILES.values()]:
        _write(data / file, SENTENCES)
    positions = json.loads((tiny_encoder_dir / "config.json").read_text(encoding="utf-8"))["max_position_embeddings"]
    with pytest.raises(ConfigError, match=f"exceeds the encoder's max_position_embeddings {positions}"):
        main(["anercorp", "--base", str(tiny_encoder_dir), "--data-dir", str(data), "--out", str(tmp_path / "out"),
              "--max-length", str(positions + 1)])  # fmt: skip


def test_a_half_precision_base_is_trained_in_float32(tmp_path: Path, tiny_encoder_dir: Path) -> None:
    """transformers keeps a bf16-saved checkpoint in bf16; the Trainer would keep bf16 master weights."""
    import torch
    from transformers import AutoModel

    from training.anercorp import load_tagger

    AutoModel.from_pretrained(tiny_encoder_dir).to(torch.bfloat16).save_pretrained(tmp_path / "bf16")
    assert {p.dtype for p in AutoModel.from_pretrained(tmp_path / "bf16").parameters()} == {torch.bfloat16}
    assert {p.dtype for p in load_tagger(str(tmp_path / "bf16")).parameters()} == {torch.float32}
