"""The one kind of error a user can cause: bad data, options, expressions or files."""


class InputError(ValueError):
    """Bad input from the user: the message names the problem (and the file, line and column
    where there is one). The command line prints it and exits with status 2; the app shows it
    and carries on with what it had."""
