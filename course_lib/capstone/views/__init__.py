"""The capstone (lesson 07), views/: figures, dashboards' render functions and text tables drawn
from a model's or a lab's result: they compute and validate nothing of their own.
"""
