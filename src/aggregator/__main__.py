"""`python -m aggregator` runs the `aggregate` command line."""

from aggregator.cli.app import main

# Guarded: parse workers are spawned processes, which import the main module again.
if __name__ == "__main__":
    main()
