"""Pipeline: the cycle and the daemon, the only package that crosses stages."""
