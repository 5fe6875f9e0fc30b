"""Dagster resources: the store and one client per vendor."""
