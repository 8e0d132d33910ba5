"""`aggregate demo`: the whole pipeline on bundled sample feeds, with no account or internet."""

from aggregator.cli.demo.run import run_demo

__all__ = ["run_demo"]
