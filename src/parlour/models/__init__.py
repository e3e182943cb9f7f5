"""Model access: specifications, the registry and the backends (the interface they implement is
`parlour.chat`)."""

from parlour.models.spec import ModelSpec

__all__ = ["ModelSpec"]
