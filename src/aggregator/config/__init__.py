"""Config: the YAML file, its limits and checks, read into typed settings."""
