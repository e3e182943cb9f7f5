"""Tools for testing pipelines without a real model: a loopback OpenAI-compatible server."""
