"""The Management Hub API: the REST API the operator UI and operators' scripts use.

Everything goes through `factory.store.Store` and the same validation as the CLI.
"""
