"""``python -m arabnews_nlp``: the same command line as ``arabnews-nlp``."""

from __future__ import annotations

import sys

from arabnews_nlp.cli import main

if __name__ == "__main__":
    sys.exit(main())
