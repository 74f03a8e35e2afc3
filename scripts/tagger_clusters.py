"""Which word clusters help the n-gram tagger? The comparison behind ``ngram_clusters``.

Fits the tagger alone (the features of ``arabnews_nlp.ngram_features.tagger_features``, hashed into 2^20
columns, one multinomial logistic regression, C = 1 or those of ``--c``) on the training split and ANERcorp train,
once without clusters and once per choice of k-means sizes of the skip-gram word vectors, and
prints each one's dev micro-F1 (seqeval strict, Viterbi). Only dev is scored: the choice is made
there. It takes about 3 minutes per choice on 2 cores.

    python scripts/tagger_clusters.py --vectors runs/word_vectors --choices none 256 1024 256,1024 [--c 0.5 1 2]
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # `pip install .` does not install `training`


def main() -> None:
    """Print the dev NER micro-F1 of the tagger for each cluster choice."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--vectors", default="runs/word_vectors")
    parser.add_argument("--train", nargs="+", default=["seeds/train.jsonl", "runs/data/anercorp_train.jsonl"])
    parser.add_argument("--dev", default="seeds/dev.jsonl")
    parser.add_argument("--choices", nargs="+", default=["none", "256", "1024", "256,1024"])
    parser.add_argument("--c", type=float, nargs="+", default=[1.0], help="inverse L2 strengths to compare")
    args = parser.parse_args()
    logging.disable(logging.WARNING)

    from sklearn.feature_extraction import FeatureHasher
    from sklearn.linear_model import LogisticRegression

    from arabnews_nlp.ngram_features import tagger_features
    from arabnews_nlp.schema import NER_TAGS
    from arabnews_nlp.tasks.ner import viterbi_bio
    from training.data.records import read_records
    from training.metrics import ner_scores
    from training.ngram import tagged_words, word_clusters

    train, dev = tagged_words(read_records(args.train)), tagged_words(read_records(args.dev))
    hasher = FeatureHasher(n_features=2**20, input_type="string", alternate_sign=False)
    for choice, c in ((choice, c) for choice in args.choices for c in args.c):
        clusters = None if choice == "none" else word_clusters(args.vectors, [int(k) for k in choice.split(",")])
        features = hasher.transform([f for words, _ in train for f in tagger_features(words, clusters)])
        regression = LogisticRegression(C=c, max_iter=300).fit(features, [t for _, tags in train for t in tags])
        columns = [list(regression.classes_).index(tag) for tag in NER_TAGS]
        predicted = []
        for words, _ in dev:
            rows = regression.predict_proba(hasher.transform(tagger_features(words, clusters)))[:, columns]
            predicted.append([NER_TAGS[i] for i in viterbi_bio(rows.tolist(), NER_TAGS)])
        f1 = ner_scores([tags for _, tags in dev], predicted)["micro"]["f1"]
        print(f"clusters {choice:>10s}, C {c:g}: dev NER micro-F1 {f1:.4f}", flush=True)


if __name__ == "__main__":
    main()
