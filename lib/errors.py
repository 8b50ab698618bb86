"""Errors a user may see: each carries a message fit for the screen and the command line."""

from lib.i18n import _


class UserError(ValueError):
    """Something the user can fix or must know about; never shown with a traceback."""


class FileRefused(UserError):
    """An uploaded file cannot be imported; the database was not touched."""


class LimitExceeded(FileRefused):
    """A file above a configured limit; ``setting`` names the setting that would let it in."""

    def __init__(self, message: str, *, setting: str):
        super().__init__(message)
        self.setting = setting

    def __reduce__(self):  # the workbook child sends it back pickled
        return (_limit_exceeded, (str(self), self.setting))


def _limit_exceeded(message: str, setting: str) -> LimitExceeded:
    return LimitExceeded(message, setting=setting)


class InvalidInput(UserError):
    """A form field or an edit is wrong; `row` and `column` say where, when known."""

    def __init__(self, message: str, *, row: int | None = None, column: str | None = None):
        at_row = _("row {number}").format(number=row) if row is not None else ""
        where = ", ".join(part for part in (at_row, column or "") if part)
        super().__init__(f"{where}: {message}" if where else message)
        self.row = row
        self.column = column


class EditConflict(UserError):
    """Someone else changed the same value since it was loaded; nothing was overwritten."""

    def __init__(self, message: str, *, fresh_value: object = None):
        super().__init__(message)
        self.fresh_value = fresh_value


class StorageBusy(UserError):
    """The database stayed busy through every retry; the change was not saved."""


class DatabaseLocked(UserError):
    """Another process (usually the running app) holds the database file."""
