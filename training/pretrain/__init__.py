"""Pre-training a compact Arabic encoder: corpus streaming, WordPiece tokenizer, MLM."""
