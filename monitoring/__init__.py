"""monitoring: Prometheus metrics, health, dashboards and alert rules."""
