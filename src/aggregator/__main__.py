"""`python -m aggregator` runs the `aggregate` command line."""

from aggregator.cli import main

main()
