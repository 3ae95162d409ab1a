"""Models of the netops app (filled in by its own issue)."""
