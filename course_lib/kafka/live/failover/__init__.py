"""Lesson 05b's lab: a 3-broker Apache Kafka with failures injected, runs stored and compared with
the replication model claim by claim.
"""
