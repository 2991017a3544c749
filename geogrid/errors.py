"""Domain errors: a plain hierarchy that imports nothing from the web or CLI layers.

The CLI turns a GeogridError into a message and exit code 1; the API (later) maps each
class to a 4xx problem body in one place.
"""


class GeogridError(Exception):
    """Base of every error geogrid raises on purpose; `field` names the offending input."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class ConfigurationError(GeogridError):
    """A setting is missing, malformed or contradicts another setting."""


class DatabaseError(GeogridError):
    """The database cannot be reached, started or used as geogrid needs."""


class PostGISMissingError(DatabaseError):
    """The server has no PostGIS extension available."""


class InputError(GeogridError):
    """Input data (a file, a row, a field, a coordinate) is unusable."""


class UnreadableFileError(InputError):
    """A boundary or report file cannot be opened or parsed."""


class UnknownCRSError(InputError):
    """A coordinate reference system name or code that geogrid does not know."""


class CoordinateError(InputError):
    """A coordinate is not a number, out of range or apparently swapped."""


class VersionError(GeogridError):
    """A grid version that does not exist or cannot make the change asked for."""


class BuildError(GeogridError):
    """A grid build whose result fails validation: nothing of it is stored."""


class DamagedPhotoError(GeogridError):
    """A stored photo whose pixels do not decode, so no thumbnail can be made (HTTP 422)."""


class ConflictError(InputError):
    """A retried request id whose body differs from the first request's."""


class NotFoundError(GeogridError):
    """A report, grid, station or user that does not exist (or is outside the caller's scope)."""


class UnknownVersionError(VersionError, NotFoundError):
    """A grid version asked for by number that does not exist (HTTP 404)."""


class NoActiveVersionError(VersionError):
    """No grid version is active yet, so there is nothing to answer from (HTTP 409)."""


class TransitionError(InputError):
    """A status change the report lifecycle does not allow."""


class NotQualifiedError(GeogridError):
    """A person who has not passed every stage of selection put on a grid (HTTP 409)."""


class LockedError(GeogridError):
    """A change to something confirmed and locked, as a confirmed month (HTTP 409)."""
