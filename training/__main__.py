"""``python -m training COMMAND ...``: dispatch to one module per command.

Each command module defines ``main(argv: list[str] | None) -> int``; it is imported only when
its command runs, so ``python -m training validate`` needs nothing of what ``finetune`` needs.
Errors the user can fix (the package's typed errors, a missing file, a package of the ``[train]``
extra not installed: :mod:`training.extras`) print one line naming what is wrong and exit with 2;
anything else keeps its traceback.
"""

from __future__ import annotations

import importlib
import sys

COMMANDS: dict[str, tuple[str, str]] = {
    "validate": ("training.data.cli", "check SCHEMA.md JSONL files: file:line: what is wrong"),
    "build-data": ("training.data.cli", "surface annotations -> offset JSONL, train/dev split"),
    "convert": ("training.data.cli", "ANERcorp / WikiFANE / Doccano / Label Studio -> JSONL (and back)"),
    "stats": ("training.data.cli", "label counts per split"),
    "conflicts": ("training.data.cli", "repeated sentences whose copies carry different labels"),
    "tokenizer": ("training.pretrain.tokenizer", "train a WordPiece tokenizer on raw news"),
    "pretokenize": ("training.pretrain.pretokenize", "the news corpus as one array of token ids (fast pre-training)"),
    "pretrain": ("training.pretrain.mlm", "masked-language-model pre-training of a compact encoder"),
    "word-vectors": ("training.pretrain.word_vectors", "skip-gram word vectors for the hashed word embeddings"),
    "finetune": ("training.finetune", "fine-tune an analyzer model (NER + stance + events)"),
    "retune": ("training.retune", "refit the n-gram models and redo the dev choices of a trained model"),
    "baseline": ("training.baseline", "fit the keyword/gazetteer baseline on training data"),
    "prefill": ("training.prefill", "pre-annotate articles with a model, for annotators to correct"),
    "evaluate": ("training.evaluation.cli", "score a model on gold JSONL (seqeval, stance, events)"),
    "anercorp": ("training.anercorp", "the ANERcorp benchmark (CAMeL split)"),
}


def main(argv: list[str] | None = None) -> int:
    """Run the command named by the first argument."""
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in ("-h", "--help") or args[0] not in COMMANDS:
        width = max(map(len, COMMANDS))
        lines = [f"  {name:<{width}}  {help_}" for name, (_, help_) in COMMANDS.items()]
        print("usage: python -m training COMMAND [options]\n\ncommands:\n" + "\n".join(lines))
        return 0 if args and args[0] in ("-h", "--help") else 2
    from arabnews_nlp.errors import ArabNewsError
    from arabnews_nlp.signals import closed_pipe_status, exit_status
    from training.extras import check_extra

    try:
        check_extra(args[0])  # the [train] extra: before any work, not after minutes of predictions
        module = importlib.import_module(COMMANDS[args[0]][0])  # torch and transformers: a Ctrl-C here is common
        return int(module.main(args) or 0)
    except BrokenPipeError:  # the reader stopped early (`stats ... | head`): not an error
        return closed_pipe_status()
    except KeyboardInterrupt as error:  # Ctrl-C or SIGTERM: one line (finetune's says how to resume), the shell's code
        print(f"python -m training {args[0]}: {str(error) or 'interrupted'}", file=sys.stderr)
        return exit_status(error)
    except (ArabNewsError, FileNotFoundError, IsADirectoryError, NotADirectoryError) as error:  # what the user can fix
        print(f"python -m training {args[0]}: error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
