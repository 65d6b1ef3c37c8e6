"""Errors that the CLI turns into one clear line and exit code 2."""


class InputError(ValueError):
    """Bad input from a person or a file: names what is wrong and where; nothing was written."""
