"""Models of the datacenter app (filled in by its own issue)."""
