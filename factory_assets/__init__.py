"""Dagster assets, asset checks and jobs, one module per concern."""
