"""Meaning vectors for the matcher, used by the benchmarks only: distilled word vectors and a small sentence encoder."""
