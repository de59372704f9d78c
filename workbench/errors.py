"""Errors that carry a message meant for the person who caused them."""


class InputError(ValueError):
    """Bad input: the message says what is wrong and what to do; nothing was changed."""
