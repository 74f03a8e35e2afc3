"""Scoring a model (or any analyzer) on gold SCHEMA.md JSONL: the code behind ``python -m training evaluate``.

Two modes:

* ``sentences`` (:mod:`training.evaluation.sentences`): predictions on the **gold** sentence
  spans. NER on words (seqeval, strict IOB2), sentence stance, sentence events. For a model
  directory the model runs on each gold span through the runtime's encoder and decoders
  (:mod:`training.predict`); for any other object with the analyzer interface, ``analyze()``
  runs on each gold sentence's text.
* ``documents`` (:mod:`training.evaluation.documents`): ``analyze(text)`` on each whole
  document, with its own sentence splitting.

Anything with ``analyze(text)`` returning an object with ``to_dict()`` (SCHEMA.md §6), or that
dict itself, can be scored: a keyword baseline uses the same code as the model
(:mod:`training.evaluation.modes`). The headline numbers (:mod:`training.evaluation.summary`),
the ``--min``/``--floor`` checks (:mod:`training.evaluation.checks`), the gold files
(:mod:`training.evaluation.gold`) and the JSON report (:mod:`training.evaluation.report`) each
have their own module; :mod:`training.evaluation.cli` is the command.
"""
