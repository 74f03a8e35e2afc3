"""The ``info`` command's report, for :mod:`arabnews_nlp.cli` to run: a model, its labels and settings, library versions.

``arabnews-nlp info`` checks the model directory (its labels against the schema) and writes what
it holds, as lines or, with ``--json``, as one JSON object, to the stream the CLI gives it. Torch
is imported only when the command runs (for ``cuda_available``).
"""

from __future__ import annotations

import argparse
import json
from typing import IO

UNTRAINED = "UNTRAINED placeholder (trained: false; its predictions carry no information)"


def run_info(args: argparse.Namespace, out: IO[str]) -> int:
    """Write the model's information to ``out`` (as JSON with ``args.json``); return the exit code, 0."""
    from arabnews_nlp.model_checks import check_model_dir, load_config
    from arabnews_nlp.model_dir import library_versions
    from arabnews_nlp.model_source import resolve_model
    from arabnews_nlp.settings import AnalyzerSettings, default_doc_stance

    directory = resolve_model(args.model)
    check_model_dir(directory)
    settings = AnalyzerSettings.load(directory)
    settings.check_labels()
    load_config(directory)
    import torch

    data = {
        "model": str(directory),
        "trained": settings.trained,
        "status": "trained" if settings.trained else UNTRAINED,
        "settings": settings.to_dict(),
        "runtime": library_versions() | {"cuda_available": str(torch.cuda.is_available())},
    }
    if args.json:
        out.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
        return 0
    entity_types = sorted({tag.split("-", 1)[1] for tag in settings.labels["ner"] if "-" in tag})
    lines = [
        f"model:        {directory}",
        f"status:       {data['status']}",
        f"description:  {settings.description or '-'}",
        f"base model:   {settings.base_model or '-'}",
        f"schema:       version {settings.schema_version}",
        f"entities:     {' '.join(entity_types)}",
        f"stance:       {' '.join(settings.labels['stance'])}",
        f"events:       {' '.join(settings.labels['events'])}",
        f"window:       max_length {settings.max_length}, stride {settings.stride}",
        f"thresholds:   {json.dumps(settings.event_thresholds)}",
        f"doc stance:   {json.dumps(default_doc_stance() | settings.doc_stance)}",  # what analyze() applies
        f"decoding:     NER {settings.ner_decoding}, gazetteer {settings.gazetteer_mode} ({len(settings.gazetteer)} names), entity floor "
        f"{settings.ner_min_score:.2f}, stance factors {json.dumps(settings.stance_weights) or '{}'}",
        f"normalize:    {json.dumps(settings.normalization.to_dict())}",
        f"metrics:      {json.dumps(settings.metrics, ensure_ascii=False) if settings.metrics else '-'}",
        f"saved with:   {json.dumps(settings.versions)}",
        f"runtime:      {json.dumps(data['runtime'])}",
    ]
    out.write("\n".join(lines) + "\n")
    return 0
