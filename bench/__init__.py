"""Benchmarks: each prints a rate and its ratio to a floor measured in the same run."""
