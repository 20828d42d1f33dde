"""What an operator sees: health checks (`rushes doctor`, /readyz), Prometheus metrics, structured logs."""
