"""Access errors: part of the domain hierarchy, mapped to 401 and 403 by the API."""

from geogrid.errors import GeogridError


class Unauthenticated(GeogridError):
    """No token, or one that is unknown or revoked."""


class Forbidden(GeogridError):
    """The caller's role may not do this at all (objects outside its scope are not found)."""
