"""Models of the billing app (filled in by its own issue)."""
