"""The `meetbridge` command.

`meetbridge bot run --vendor janus --name NAME URL` runs one bot in the foreground,
with no queue: for development and debugging. Ctrl-C makes it leave cleanly.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import signal
import sys
import uuid

from pydantic import SecretStr

from meetbridge.logs import configure_logging
from vendor_scripts.registry import vendor_names


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="meetbridge", description=__doc__)
    parser.add_argument("--log-level", default="INFO")
    parser.add_argument("--json-logs", action="store_true")
    commands = parser.add_subparsers(dest="command", required=True)

    bot = commands.add_parser("bot", help="run a bot").add_subparsers(
        dest="bot_command", required=True
    )
    run = bot.add_parser("run", help="join one meeting in the foreground; Ctrl-C leaves")
    run.add_argument("--vendor", required=True, choices=vendor_names())
    run.add_argument("--name", required=True, help="display name in the meeting")
    run.add_argument(
        "--ask-passcode", action="store_true", help="prompt for the meeting passcode (never logged)"
    )
    run.add_argument("url", help="meeting URL")
    return parser


async def _run_bot(args: argparse.Namespace) -> int:
    from playwright.async_api import async_playwright

    from bridge_worker.bot import Bot
    from bridge_worker.lifecycle import BotState
    from bridge_worker.settings import WorkerSettings
    from vendor_scripts.base import MeetingRequest
    from vendor_scripts.registry import load_client

    passcode = SecretStr(getpass.getpass("passcode: ")) if args.ask_passcode else None
    request = MeetingRequest(url=args.url, display_name=args.name, passcode=passcode)
    async with async_playwright() as playwright:
        bot = Bot(
            f"cli-{uuid.uuid4().hex[:8]}",
            request,
            load_client(args.vendor),
            WorkerSettings(),
            playwright,
        )
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, bot.request_leave)
        await bot.run()
    return 0 if bot.lifecycle.state is BotState.ENDED else 1


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    configure_logging(args.log_level, json=args.json_logs)
    if args.command == "bot" and args.bot_command == "run":
        return asyncio.run(_run_bot(args))
    return 2


if __name__ == "__main__":
    sys.exit(main())
