"""The one exception type that reaches the user.

Anything the user can fix (a missing file, a mask count that does not match, an unknown preset) is raised as
:class:`VideofillError` with a one-line message naming the problem and the file. The command line prints that
line and exits with status 2; it never shows a traceback for these.
"""


class VideofillError(Exception):
    """A user-facing error; ``str(err)`` is one line that names the problem and, where there is one, the file."""

    exit_code = 2
