"""Lesson 01's components, live/: the labs: each measures real parts and returns a result; a lab
never imports another lab or a view (a multi-module lab is a subpackage).
"""
