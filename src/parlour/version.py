"""parlour's version, in a module of its own: run.json, the report and the score cache's fingerprint read it
without importing the package's facade."""

__version__ = "0.1.0"
