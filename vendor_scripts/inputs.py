"""A bot's display name and passcode against its vendor's input rules (pure, no browser).

The API calls `check_inputs` before anything is stored or queued and answers 422
with the message, which names the rule and never the passcode.
"""

from __future__ import annotations

from vendor_scripts.registry import VENDORS


class MeetingInputError(ValueError):
    """A display name or passcode the vendor's page would refuse; the message is for the user."""


def check_inputs(vendor: str, display_name: str, passcode: str | None = None) -> None:
    """Raise MeetingInputError when `vendor`'s join screen would refuse these."""
    spec = VENDORS.get(vendor)
    if spec is None:
        raise MeetingInputError(f"unknown vendor {vendor!r}")
    rules, title = spec.inputs, spec.hosts.title
    if len(display_name) > rules.name_max_length:
        raise MeetingInputError(
            f"{title} takes display names of at most {rules.name_max_length} characters"
        )
    if rules.name_pattern is not None and not rules.name_pattern.fullmatch(display_name):
        raise MeetingInputError(f"{title} takes display names of {rules.name_rule}")
    if passcode is None:
        return
    if len(passcode) > rules.passcode_max_length:
        raise MeetingInputError(
            f"{title} takes passcodes of at most {rules.passcode_max_length} characters"
        )
    if rules.passcode_pattern is not None and not rules.passcode_pattern.fullmatch(passcode):
        raise MeetingInputError(f"{title} takes passcodes of {rules.passcode_rule}")
