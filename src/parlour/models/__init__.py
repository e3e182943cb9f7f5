"""Model access: specifications, the registry and the backends."""

from parlour.models.base import Generation, Model
from parlour.models.spec import ModelSpec

__all__ = ["Generation", "Model", "ModelSpec"]
