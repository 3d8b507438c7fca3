"""Shared code every area may use: validation, statistics, seeded streams, processes, loopback
ports, names, datasets, the glossary, queueing theory and lazy exports. Imports nothing outside
``core``.
"""
