"""Typed errors: each says what went wrong and what to do about it."""

from __future__ import annotations


def quoted(text: object, limit: int = 60) -> str:
    """User input quoted for a message, cut so that a 10,000-character name does not become the message."""
    if not isinstance(text, str) or len(text) <= limit:
        return repr(text)
    return f"{text[:limit]!r}… ({len(text)} characters)"


class AutoSkillError(Exception):
    """Base class for every error this package raises on purpose."""

    exit_code = 1


class NotFoundError(AutoSkillError):
    """A skill, version or file that does not exist."""

    exit_code = 3


class InvalidInputError(AutoSkillError):
    """Input that cannot be used as given (bad name, unsafe path, unparseable file)."""

    exit_code = 2


class ConflictError(AutoSkillError):
    """A write that would clobber something: a name taken, a stale version."""

    exit_code = 4


class ReadOnlyError(AutoSkillError):
    """A write aimed at a read-only library skill."""

    exit_code = 5


class ConfigError(AutoSkillError):
    """A configuration value that cannot work."""

    exit_code = 2


class DatabaseUnavailableError(AutoSkillError):
    """The store's database cannot be reached (a lost connection is retried once); nothing was half-written."""

    exit_code = 7
