"""Lesson 07's live run: a design stood up for real (HAProxy, Apache Kafka, checkout servers,
consumers), broken on schedule, measured and scored beside the simulation.
"""
