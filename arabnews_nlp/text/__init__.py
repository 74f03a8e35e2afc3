"""Offset-keeping text processing: normalisation, words, sentences."""
