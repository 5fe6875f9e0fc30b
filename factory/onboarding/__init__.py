"""Onboarding rules as plain functions: look at the vendor, compare, change only the difference."""
