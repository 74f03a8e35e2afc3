"""Training, data tooling and evaluation for arabnews-nlp (``python -m training ...``).

Needs the ``[train]`` extra. Imports :mod:`arabnews_nlp`; the runtime never imports this package.
"""
