"""Load balancing (lessons 02–03b), runtime/: what starts and configures real parts on 127.0.0.1
(every child through ``course_lib.core.procs.spawn``, dying with its parent).
"""
