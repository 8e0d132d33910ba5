"""`python -m aggregator` runs the `aggregate` command line."""

from aggregator.cli.app import main

# Guarded: where parse workers are spawned (not forked: macOS, Windows), they import the
# main module again.
if __name__ == "__main__":
    main()
