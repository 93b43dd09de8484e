"""Running jobs: planning inputs into jobs, and executing them with a command's runner.

``batch``   inputs -> jobs -> outputs: naming, resume, summary, exit codes (torch-free)
``runner``  the Runner base class (load once, process jobs) and in-process execution
"""
