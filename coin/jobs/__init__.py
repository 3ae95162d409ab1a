"""Background jobs: long work started from a page, run by the worker, followed on a progress page."""
