"""Lesson 03b's lab, failover for real: real backends behind a real HAProxy, a scenario played live
and compared with the simulator. ``course_lib.lb.live`` exports its lesson API.
"""
