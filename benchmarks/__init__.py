"""Benchmarks for System Design Lab (``make bench`` → ``benchmarks/RESULTS.md``)."""
