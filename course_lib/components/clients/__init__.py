"""Lesson 01's components, clients/: client helpers shared by the labs and the runtime's child
processes: bounded calls, clear errors.
"""
