"""Kafka (lessons 04–06), clients/: client helpers shared by the labs and the runtime's child
processes: bounded calls, clear errors.
"""
