"""Command line: one module per command group, the start-up and the run summary."""
