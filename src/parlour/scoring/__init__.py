"""parlour.scoring package."""
