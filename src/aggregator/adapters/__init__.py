"""Adapters: the interface every board plugs into, the registry, and the RSS/Atom adapter."""
