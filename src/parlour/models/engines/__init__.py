"""Local engines: llama.cpp (in-process, or served on loopback), transformers and vLLM, with what they
share (cross-episode batching, chat templates, load-shadow)."""
