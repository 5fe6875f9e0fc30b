"""Dagster resources: thin; they build the product's plain objects from the settings."""
