"""The volunteer back office at /gestion/: list, detail and action pages over the services.

See docs/backoffice.md for how an app adds its pages.
"""
