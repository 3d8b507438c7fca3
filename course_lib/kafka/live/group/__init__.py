"""Lesson 04's consumer-group lab: a group of real consumers, its lag, its rebalances.
"""
