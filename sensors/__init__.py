"""Sensors: new and removed sites, run-failure bookkeeping."""
