"""Shared code every area may use: validation, statistics, seeded streams, processes, loopback
ports, names, datasets, the glossary, queueing theory, lazy exports and stored live runs. Imports
nothing outside ``core``.
"""
