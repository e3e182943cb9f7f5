"""Scheduling episodes, concurrency, resume and the on-disk store."""
