"""scripts/stance_candidates.py: which corpus articles a stance round would still read."""

from __future__ import annotations

import gzip
import importlib.util
import json
import subprocess
import sys
from pathlib import Path
from types import ModuleType

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "stance_candidates.py"
ON_TARGET = "طالب النواب بانسحاب القوات الأمريكية من العراق بعد الهجوم على القاعدة في الأنبار. "


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("stance_candidates", SCRIPT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _corpora(folder: Path, docs: dict[str, list[dict[str, str]]]) -> None:
    folder.mkdir()
    for name in _script().CORPORA:
        with gzip.open(folder / name, "wt", encoding="utf-8") as out:
            for doc in docs.get(name, []):
                out.write(json.dumps(doc, ensure_ascii=False) + "\n")


def test_only_unannotated_on_target_articles_of_the_right_length_are_kept(tmp_path: Path) -> None:
    module = _script()
    filler = " ".join(f"كلمة{i}" for i in range(60))
    fresh = ON_TARGET + filler
    other = "زار الوزير القاهرة وبحث التعاون الاقتصادي مع نظيره المصري. " + filler
    annotated_text = ON_TARGET + " ".join(f"نص{i}" for i in range(60))
    root = tmp_path / "repo"
    (root / "seeds" / "surface").mkdir(parents=True)
    (root / "seeds" / "surface" / "batch1.jsonl").write_text(
        json.dumps({"id": "news-SK-1", "text": annotated_text}, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    data = tmp_path / "news"
    _corpora(data, {
        "ant_multisource_2018.jsonl.gz": [
            {"docno": "SK-1", "title": "", "text": ON_TARGET + filler + " مختلف"},  # annotated id
            {"docno": "SK-2", "title": "", "text": fresh},  # kept
            {"docno": "SK-3", "title": "", "text": fresh + " ذيل"},  # a near copy of SK-2
            {"docno": "SK-4", "title": "", "text": other},  # no US forces, no Iraq or Syria
            {"docno": "SK-5", "title": "", "text": ON_TARGET},  # under 300 characters
        ],
        "news_credibility_2013.jsonl.gz": [
            {"title": "", "text": annotated_text + " ذيل"},  # a near copy of an annotated text
            {"title": "", "text": None},  # no text
        ],
    })  # fmt: skip
    found = module.candidates(data, root)
    assert [doc["doc_id"] for doc in found] == ["SK-2"]
    assert found[0]["corpus"] == "ant_multisource_2018"


def test_a_missing_corpus_is_named(tmp_path: Path) -> None:
    command = [sys.executable, str(SCRIPT), "--data", str(tmp_path)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    assert done.returncode == 2
    assert "ant_multisource_2018.jsonl.gz" in done.stderr and "--data" in done.stderr
    assert "Traceback" not in done.stderr
