"""Benchmark of the reconciler against the old update endpoint on the sandbox."""
