"""A study as one file: many model specs x games x pairs, played locally or on Ray, then analysed."""
