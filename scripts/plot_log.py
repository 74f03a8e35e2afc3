"""Plot a training log (``log.jsonl`` of ``python -m training pretrain`` or ``finetune``) as a PNG.

Keeps the last entry per step (a resumed run repeats the steps after its last checkpoint).

Example:
    $ pip install matplotlib
    $ python scripts/plot_log.py runs/pretrain/log.jsonl docs/img/mlm_loss.png --key loss --smooth smoothed
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path


def main() -> None:
    """Read the log, plot ``--key`` (and ``--smooth``) against tokens or steps, save the PNG."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("log", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--key", default="loss")
    parser.add_argument("--smooth", default=None, help="a second, smoothed series to draw on top")
    parser.add_argument("--title", default="MLM loss")
    args = parser.parse_args()
    by_step: dict[int, dict] = {}
    for line in args.log.read_text(encoding="utf-8").splitlines():
        entry = json.loads(line)
        if args.key in entry and "step" in entry:
            by_step[entry["step"]] = entry
    entries = [by_step[s] for s in sorted(by_step)]
    if not entries:
        parser.error(f"{args.log} has no line with both 'step' and {args.key!r}; name the series with --key")
    try:
        import matplotlib
    except ImportError:
        parser.error("this script draws with matplotlib, which is not installed (no extra installs it): pip install matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    use_tokens = all("tokens" in e for e in entries)
    x = [e["tokens"] / 1e6 if use_tokens else e["step"] for e in entries]
    fig, ax = plt.subplots(figsize=(7, 4), dpi=110)
    ax.plot(x, [e[args.key] for e in entries], lw=0.8, alpha=0.5, label=args.key)
    if args.smooth:
        ax.plot(x, [e[args.smooth] for e in entries], lw=2, label=args.smooth)
    ax.set_xlabel("tokens seen (millions)" if use_tokens else "step")
    ax.set_ylabel(args.key)
    ax.set_title(args.title)
    ax.grid(alpha=0.3)
    ax.legend()
    fig.tight_layout()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(args.out)
    print(f"wrote {args.out} ({len(entries)} points)")


if __name__ == "__main__":
    main()
