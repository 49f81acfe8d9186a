"""structlog set-up shared by every entry point, with secrets kept out of log lines."""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import MutableMapping
from typing import Any

import structlog

SECRET_FIELDS = frozenset(
    {
        "passcode",
        "password",
        "pwd",
        "api_key",
        "token",
        "authorization",
        "secret",
        "webhook_secret",
        "meeting_url",
        "url",
    }
)
# API keys and passcodes carried in URLs (e.g. Zoom's ?pwd=, Teams' ?p=).
_SECRET_PATTERNS = (
    re.compile(r"mbk_[A-Za-z0-9_-]+"),
    re.compile(r"(?i)([?&](?:pwd|p|passcode|password|token|key)=)[^&\s'\"]+"),
)
REDACTED = "[redacted]"


def redact_text(text: str) -> str:
    text = _SECRET_PATTERNS[0].sub("mbk_" + REDACTED, text)
    return _SECRET_PATTERNS[1].sub(r"\1" + REDACTED, text)


def redact_secrets(
    _logger: Any, _method: str, event_dict: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    """Drop values of secret-named fields; scrub key- and passcode-shaped text elsewhere."""
    for name, value in list(event_dict.items()):
        if name.lower() in SECRET_FIELDS and value is not None:
            event_dict[name] = REDACTED
        elif isinstance(value, str):
            event_dict[name] = redact_text(value)
    return event_dict


class _RedactingFilter(logging.Filter):
    """The same scrubbing for stdlib loggers (uvicorn, celery, httpx)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        record.msg, record.args = redact_text(message), None
        return True


def configure_logging(level: str = "INFO", *, json: bool = False) -> None:
    numeric = logging.getLevelNamesMapping()[level.upper()]
    renderer = (
        structlog.processors.JSONRenderer() if json else structlog.dev.ConsoleRenderer(colors=False)
    )
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            redact_secrets,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(numeric),
        logger_factory=structlog.PrintLoggerFactory(file=sys.stderr),
        cache_logger_on_first_use=True,
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(_RedactingFilter())
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(numeric)
    # One line per Janus long-poll or API call is noise, not news.
    logging.getLogger("httpx").setLevel(max(numeric, logging.WARNING))
