"""parlour.report package."""
