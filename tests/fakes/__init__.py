"""Local stand-ins for outside services (Vertex AI) and small real media helpers for tests."""
