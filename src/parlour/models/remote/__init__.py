"""Models behind HTTP endpoints: the one request path every request takes (endpoint.py: limit, breaker,
deadline, retries), the backend base they share (backend.py), and one module per wire format."""
