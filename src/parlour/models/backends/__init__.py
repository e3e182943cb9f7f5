"""One module per backend; see parlour.models.loader.BACKENDS."""
