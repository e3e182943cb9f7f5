"""parlour.analysis package."""
