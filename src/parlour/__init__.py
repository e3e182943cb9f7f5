"""parlour: evaluate chat LLMs by self-play in conversational games (clembench 1.6 compatible)."""

__version__ = "0.1.0"
