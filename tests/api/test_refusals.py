"""The one table of refusals: each typed error a route raises gets its status, the most
specific class of the table winning, and a body without internals."""

from __future__ import annotations

import httpx
import psycopg
import pytest
from fastapi import FastAPI
from psycopg_pool import PoolTimeout

from argus.api.refusals import REFUSALS, install_refusals, refusal_of
from argus.api.uploads import UploadInProgress, UploadTooLarge
from argus.errors import (
    ArgusError,
    ConfigError,
    ConflictError,
    CorruptInputError,
    DatabaseUnavailable,
    EmbeddingUnavailable,
    FormatError,
    InputError,
    KafkaUnavailable,
    NotFoundError,
    NotReadyError,
)


def _app(error: Exception) -> FastAPI:
    app = FastAPI()
    install_refusals(app)

    @app.get("/boom")
    async def boom() -> None:
        raise error

    return app


async def _answer(error: Exception) -> httpx.Response:
    transport = httpx.ASGITransport(app=_app(error))
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        return await client.get("/boom")


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (InputError("bad"), 400),
        (FormatError("bad shape"), 400),
        (CorruptInputError("truncated"), 400),
        (UploadInProgress("a.log is being uploaded"), 409),  # an InputError, but more specific
        (UploadTooLarge("a.log is too large"), 413),
        (NotFoundError("no batch x"), 404),
        (ConflictError("the batch has no files"), 409),
        (NotReadyError("no parsed files yet"), 409),
        (DatabaseUnavailable("db down"), 503),
        (KafkaUnavailable("broker down"), 503),
        (EmbeddingUnavailable("no model at /models/x"), 503),
        (ConfigError("the stored vectors come from another model"), 503),
        (PoolTimeout("no connection in 1.5 s"), 503),
        (psycopg.OperationalError("server closed the connection"), 503),
    ],
)
async def test_each_error_is_answered_by_its_most_specific_row(
    error: Exception, status: int
) -> None:
    answer = await _answer(error)
    assert answer.status_code == status == refusal_of(error).status
    if status == 503:
        assert answer.headers["Retry-After"] == "5"
        assert "unavailable; retry later" in answer.json()["detail"]
        assert str(error) not in answer.text  # hosts, paths and driver text stay in the log
    else:
        assert answer.json()["detail"].startswith(str(error.args[0]))


async def test_input_errors_carry_their_hint_and_not_ready_errors_do_not() -> None:
    hinted = await _answer(UploadInProgress("a.log is being uploaded"))
    assert hinted.json()["detail"].endswith(
        "(wait for the other upload to finish, then upload again to replace it)"
    )
    early = await _answer(NotReadyError("batch b has no parsed files yet", hint="ask again"))
    assert early.json() == {"detail": "batch b has no parsed files yet"}


async def test_text_that_is_not_unicode_is_escaped_not_a_500() -> None:
    answer = await _answer(InputError("file name 'a\ud800' is not allowed"))
    assert answer.status_code == 400
    assert answer.json() == {"detail": "file name 'a\\ud800' is not allowed"}


def test_an_error_outside_the_table_is_not_refused_by_it() -> None:
    assert not any(issubclass(ArgusError, kind) for kind in REFUSALS)  # no catch-all row
    with pytest.raises(KeyError):
        refusal_of(ArgusError("an unexpected failure stays a 500"))
