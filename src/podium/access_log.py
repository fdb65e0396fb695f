"""The server's access log never holds a calendar feed's secret.

A feed's address is its secret (``/feeds/podcal_….ics``: calendar apps cannot sign
in), and uvicorn's access log writes every request's path. The log keeps the feed's
first 12 characters, the prefix the feed lists show, so an operator can still tell
which feed was read.
"""

from __future__ import annotations

import logging
import re

from podium.services.feeds import FEED_PREFIX

ACCESS_LOGGER = "uvicorn.access"
SHOWN = 12  # characters of a feed's name kept: its prefix in the lists
FEED_PATH = re.compile(
    rf"(/feeds/{re.escape(FEED_PREFIX)}[^/?#\s]{{0,{SHOWN - len(FEED_PREFIX)}}})[^/?#\s]*"
)


def hide_feed_secrets(text: str) -> str:
    """``text`` with each feed name cut to its prefix."""
    return FEED_PATH.sub(r"\1…", text)


class HideFeedSecrets(logging.Filter):
    """Cuts feed names in uvicorn's access records (their path is the third argument)."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple):
            record.args = tuple(
                hide_feed_secrets(a) if isinstance(a, str) and "/feeds/" in a else a for a in args
            )
        elif isinstance(record.msg, str) and "/feeds/" in record.msg:
            record.msg = hide_feed_secrets(record.msg)
        return True


def install() -> None:
    """Put the filter on the access logger, once per process."""
    logger = logging.getLogger(ACCESS_LOGGER)
    if not any(isinstance(f, HideFeedSecrets) for f in logger.filters):
        logger.addFilter(HideFeedSecrets())
