"""Schedules: the daily analytics schedule."""
