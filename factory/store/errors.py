"""The store's errors; each message is fit to show an operator."""


class StoreError(Exception):
    """Base of the store's errors."""


class NotFound(StoreError):
    pass


class Conflict(StoreError):
    pass


class InvalidInput(StoreError, ValueError):
    pass
