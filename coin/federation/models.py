"""Models of the federation app: isp.json and partner reports (filled in by its own issue)."""
