"""Models of the monitoring app (filled in by its own issue)."""
