"""`python -m parlour` = the `parlour` command."""

from parlour.cli import main

main()
