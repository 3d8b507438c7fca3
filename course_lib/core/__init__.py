"""Shared code every area may use: validation, statistics, seeded streams, processes, loopback
ports, names, datasets, the glossary, queueing theory, lazy exports, stored live runs and the
claim type the live labs use to set measured against simulated. Imports nothing outside ``core``.
"""
