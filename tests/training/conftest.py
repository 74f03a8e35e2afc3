"""Fixtures of the training tests: a tiny random BERT encoder directory and gold records.

The encoder reuses the session tokenizer of ``tests/conftest.py`` (``tiny_tokenizer``); it is a
32-wide, one-layer ``BertModel`` saved with ``save_pretrained``, so ``finetune`` loads it exactly
like a real base encoder.
"""

from __future__ import annotations

from pathlib import Path
from collections.abc import Callable
from typing import Any

import pytest

# (sentence, stance, events, [(entity text, label)]); one document per inner list.
GOLD_DOCUMENTS: list[list[tuple[str, str, list[str], list[tuple[str, str]]]]] = [
    [
        ("قال السوداني إن بغداد تريد خروج قوات التحالف الدولي من العراق.", "anti", [],
         [("السوداني", "PER"), ("بغداد", "LOC"), ("قوات التحالف الدولي", "ORG"), ("العراق", "LOC")]),
        ("أعلنت وزارة الدفاع الأميركية أن قاعدة عين الأسد تعرضت لهجوم بطائرات مسيرة.", "neutral",
         ["DRONE_ATTACK"], [("وزارة الدفاع الأميركية", "ORG"), ("قاعدة عين الأسد", "FAC")]),
    ],
    [
        ("نفى البنتاغون وجود خطط لسحب القوات من سوريا والعراق.", "pro", [],
         [("البنتاغون", "ORG"), ("سوريا", "LOC"), ("والعراق", "LOC")]),
        ("قتل ثلاثة جنود في هجوم صاروخي على مطار بغداد.", "neutral", ["ROCKET_ATTACK", "CASUALTIES"],
         [("مطار بغداد", "FAC")]),
    ],
]  # fmt: skip


def make_record(doc_id: str, sentences: list[tuple[str, str, list[str], list[tuple[str, str]]]]) -> dict[str, Any]:
    """Build a SCHEMA.md record from sentences with surface entities (first occurrence)."""
    text, spans, entities = "", [], []
    for sentence, stance, events, ents in sentences:
        start = len(text) + (1 if text else 0)
        text = f"{text} {sentence}" if text else sentence
        spans.append({"start": start, "end": start + len(sentence), "stance": stance, "holder": None, "events": events})
        for surface, label in ents:
            at = text.index(surface, start)
            entities.append({"start": at, "end": at + len(surface), "label": label})
    stances = [s["stance"] for s in spans if s["stance"] != "neutral"]
    return {"id": doc_id, "text": text, "doc_stance": stances[0] if stances else "neutral",
            "sentences": spans, "entities": sorted(entities, key=lambda e: e["start"])}  # fmt: skip


@pytest.fixture
def finetune_command_raising(monkeypatch: pytest.MonkeyPatch) -> Callable[[Any, BaseException], int]:
    """Run ``python -m training finetune`` with ``config`` whose run raises ``error``; return the exit code."""
    import training.finetune as finetune_module
    from training.__main__ import main as training_main

    def run(config: Any, error: BaseException) -> int:
        def fail(*args: Any, **kwargs: Any) -> None:
            raise error

        monkeypatch.setattr(finetune_module, "finetune", fail)
        monkeypatch.setattr(finetune_module, "load_config", lambda args: config)
        return training_main(["finetune", "--config", "any.yaml"])

    return run


@pytest.fixture(scope="session")
def gold_records() -> list[dict[str, Any]]:
    """Two documents, four annotated sentences (read-only)."""
    return [make_record(f"doc-{i}", doc) for i, doc in enumerate(GOLD_DOCUMENTS)]


@pytest.fixture(scope="session")
def gold_file(tmp_path_factory: pytest.TempPathFactory, gold_records: list[dict[str, Any]]) -> Path:
    """The gold records as a JSONL file."""
    from training.data.records import write_records

    path = tmp_path_factory.mktemp("gold") / "gold.jsonl"
    write_records(path, gold_records)
    return path


@pytest.fixture(scope="session")
def tiny_encoder_dir(tmp_path_factory: pytest.TempPathFactory, tiny_tokenizer: Any) -> Path:
    """A random 1-layer BERT encoder and its tokenizer, saved as a plain Hugging Face folder."""
    import torch
    from transformers import BertConfig, BertModel

    torch.manual_seed(0)
    config = BertConfig(vocab_size=len(tiny_tokenizer), hidden_size=32, num_hidden_layers=1, num_attention_heads=2,
                        intermediate_size=64, max_position_embeddings=64)  # fmt: skip
    directory = tmp_path_factory.mktemp("tiny_encoder")
    BertModel(config, add_pooling_layer=False).save_pretrained(directory)
    tiny_tokenizer.save_pretrained(directory)
    return directory
