"""Benchmarks: wall time, LLM calls and tokens of a real digest against the loopback fakes."""
