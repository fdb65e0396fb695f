"""The access log keeps a feed's prefix, never its secret."""

from __future__ import annotations

import logging

from podium import access_log
from podium.app import create_app
from podium.config import Settings


def _record(path: str) -> logging.LogRecord:
    # uvicorn's access record: client, method, path with query, HTTP version, status
    return logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        __file__,
        1,
        '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5000", "GET", path, "1.1", 200),
        None,
    )


def test_a_feed_path_is_cut_to_its_prefix_and_other_paths_stay() -> None:
    secret = "podcal_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-_abc"
    record = _record(f"/feeds/{secret}.ics?x=1")
    assert access_log.HideFeedSecrets().filter(record)
    line = record.getMessage()
    assert "/feeds/podcal_AbCdE….ics" not in line  # the extension goes with the secret
    assert "/feeds/podcal_AbCdE…?x=1" in line and secret not in line
    other = _record("/api/v1/feeds/12")  # a feed's id in the API: nothing secret
    access_log.HideFeedSecrets().filter(other)
    assert "/api/v1/feeds/12 " in other.getMessage()


def test_the_app_puts_the_filter_on_the_access_log_once() -> None:
    settings = Settings(database_url="sqlite://", environment="test", secret_key="x")
    for _ in range(2):
        create_app(settings, check_schema=False)
    logger = logging.getLogger(access_log.ACCESS_LOGGER)
    assert sum(isinstance(f, access_log.HideFeedSecrets) for f in logger.filters) == 1
