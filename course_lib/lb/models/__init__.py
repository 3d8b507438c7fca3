"""Load balancing (lessons 02–03b), models/: descriptions (frozen, validated, seed inside), engines
and results: pure Python, no plotting, no widgets, no clients, no processes, no sockets
(``tests/test_library_layout.py``).
"""
