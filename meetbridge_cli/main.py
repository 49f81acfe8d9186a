"""The `meetbridge` command.

meetbridge bot run --vendor janus --name NAME URL   one bot in the foreground, no queue
meetbridge keys create NAME [--webhook-url URL]     a new API key, printed once
meetbridge keys session-key                         a new key for stored sign-ins
meetbridge api [--host H] [--port P]                the HTTP API
meetbridge worker [--name N]                        a Celery worker that runs bots
meetbridge run                                      Redis + API + worker, for local use
meetbridge url [--vendor V] URL                     whose meeting a link is, and the link a
                                                    bot would open (passcodes masked)
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import json
import os
import signal
import subprocess
import sys
import uuid

from pydantic import SecretStr

from meetbridge.logs import configure_logging
from meetbridge.settings import SharedSettings
from vendor_scripts.registry import vendor_names
from vendor_scripts.urls import ResolvedMeeting


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="meetbridge", description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--log-level", default="INFO")
    parser.add_argument("--json-logs", action="store_true")
    commands = parser.add_subparsers(dest="command", required=True)

    bot = commands.add_parser("bot", help="run a bot")
    bot_commands = bot.add_subparsers(dest="bot_command", required=True)
    run = bot_commands.add_parser("run", help="join one meeting in the foreground; Ctrl-C leaves")
    run.add_argument("--vendor", required=True, choices=vendor_names())
    run.add_argument("--name", required=True, help="display name in the meeting")
    run.add_argument(
        "--ask-passcode", action="store_true", help="prompt for the meeting passcode (never logged)"
    )
    run.add_argument("--detached-child", action="store_true", help=argparse.SUPPRESS)
    run.add_argument("url", help="meeting URL")

    keys = commands.add_parser("keys", help="API keys")
    keys_commands = keys.add_subparsers(dest="keys_command", required=True)
    create = keys_commands.add_parser("create", help="create an API key and print it once")
    create.add_argument("name")
    create.add_argument("--webhook-url", help="POST every event of this key's bots here")
    keys_commands.add_parser(
        "session-key",
        help="print a new MEETBRIDGE_SESSION_KEY (stored sign-ins are encrypted with it)",
    )

    api = commands.add_parser("api", help="serve the HTTP API")
    api.add_argument("--host", default="127.0.0.1")
    api.add_argument("--port", type=int, default=8000)

    worker = commands.add_parser("worker", help="run a Celery worker that runs bots")
    worker.add_argument("--name", default="worker")

    drain = commands.add_parser(
        "drain",
        help="a worker of this host stops taking jobs; with --wait, its bots are let finish "
        "(a worker pod's preStop hook)",
    )
    drain.add_argument("--name", default="worker", help="the worker's --name")
    drain.add_argument(
        "--wait", type=float, default=0.0, help="seconds to wait for its bots to end (0: none)"
    )

    commands.add_parser("run", help="Redis, the API and a worker, for local use; Ctrl-C stops")

    url = commands.add_parser("url", help="check a meeting link as the API would")
    url.add_argument("--vendor", help="the vendor (default: found from the link)")
    url.add_argument("url", help="meeting URL")
    return parser


# -- bot run --------------------------------------------------------------------
def _bot_run_in_own_session(argv: list[str], passcode: str | None) -> int:
    """Run the bot in a child process with its own session, forwarding Ctrl-C to it.

    A terminal's Ctrl-C reaches every process of the foreground group, Playwright's
    driver included, which would take the browser down before the bot could leave.
    """
    child = subprocess.Popen(
        [sys.executable, "-m", "meetbridge_cli", *argv, "--detached-child"],
        stdin=subprocess.PIPE,
        start_new_session=True,
    )
    assert child.stdin is not None
    child.stdin.write((passcode or "").encode() + b"\n")
    child.stdin.close()

    def forward(signum: int, _frame: object) -> None:
        child.send_signal(signal.SIGINT if signum == signal.SIGINT else signal.SIGTERM)

    signal.signal(signal.SIGINT, forward)
    signal.signal(signal.SIGTERM, forward)
    return child.wait()


async def _run_bot(args: argparse.Namespace, passcode: str | None) -> int:
    from playwright.async_api import async_playwright

    from bridge_worker.bot import Bot
    from bridge_worker.settings import WorkerSettings
    from meetbridge.lifecycle import BotState
    from vendor_scripts.base import MeetingRequest
    from vendor_scripts.registry import load_client

    request = MeetingRequest(
        url=args.url,
        display_name=args.name,
        passcode=SecretStr(passcode) if passcode else None,
    )
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


def _bot_run(args: argparse.Namespace, argv: list[str]) -> int:
    if args.detached_child:
        passcode = sys.stdin.readline().rstrip("\n") or None
        return asyncio.run(_run_bot(args, passcode))
    passcode = getpass.getpass("passcode: ") if args.ask_passcode else None
    try:
        _checked_link(args.url, args.vendor, args.name, passcode)
    except ValueError as exc:  # the link, name or passcode is refused, as the API would
        print(f"meetbridge: refused: {exc}", file=sys.stderr)
        return 2
    child_argv = [a for a in argv if a != "--ask-passcode"]
    return _bot_run_in_own_session(child_argv, passcode)


# -- url --------------------------------------------------------------------------
def _checked_link(
    url: str, vendor: str | None, name: str | None = None, passcode: str | None = None
) -> ResolvedMeeting:
    """The API's rules for a meeting link (and a bot's name and passcode, when given).

    Raises MeetingUrlError or MeetingInputError (both ValueErrors) with the user's message.
    """
    from meetbridge.settings import SharedSettings
    from vendor_scripts.inputs import check_inputs
    from vendor_scripts.urls import resolve_meeting

    meeting = resolve_meeting(
        url, vendor, lab_hosts=SharedSettings().lab_hosts, supported=vendor_names()
    )
    if name is not None:
        check_inputs(meeting.vendor, name, passcode)
    return meeting


def _check_url(url: str, vendor: str | None) -> int:
    """One JSON line for a link the API would accept; else the refusal and status 2."""
    from vendor_scripts.urls import masked_link

    try:
        meeting = _checked_link(url, vendor)
    except ValueError as exc:
        print(f"meetbridge: refused: {exc}", file=sys.stderr)
        return 2
    print(json.dumps({"vendor": meeting.vendor, "join_url": masked_link(meeting.url)}))
    return 0


# -- keys, api, worker, run --------------------------------------------------------
async def _create_key(name: str, webhook_url: str | None) -> str:
    import redis.asyncio as aioredis

    from orchestrator.keys import create_key
    from orchestrator.settings import OrchestratorSettings

    client = aioredis.Redis.from_url(OrchestratorSettings().redis_url, decode_responses=True)
    try:
        return (await create_key(client, name, webhook_url)).token
    finally:
        await client.aclose()


def _refused(what: str, settings: SharedSettings) -> bool:
    """Whether `settings` hold a secret no process may start with (then it says why)."""
    from meetbridge.settings import InsecureSettingsError, check_secrets

    try:
        check_secrets(settings)
    except InsecureSettingsError as exc:
        print(f"meetbridge {what}: refused to start: {exc}", file=sys.stderr)
        return True
    return False


def _serve_api(host: str, port: int) -> int:
    import uvicorn

    from orchestrator.app import create_app
    from orchestrator.settings import OrchestratorSettings

    settings = OrchestratorSettings()
    if _refused("api", settings):
        return 2
    uvicorn.run(
        create_app(settings),
        host=host,
        port=port,
        log_config=None,
        access_log=settings.access_log,
    )
    return 0


def _run_worker(name: str) -> int:
    from bridge_worker.settings import WorkerSettings

    if _refused("worker", WorkerSettings()):
        return 2
    from bridge_worker.celery_app import app

    app.worker_main(
        [
            "worker",
            f"--hostname={name}@%h",
            "--queues=bots",
            "--loglevel=INFO",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ]
    )
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    args = _parser().parse_args(argv)
    configure_logging(args.log_level, json=args.json_logs)
    if args.command == "bot":
        return _bot_run(args, argv)
    if args.command == "keys" and args.keys_command == "session-key":
        from cryptography.fernet import Fernet

        print(Fernet.generate_key().decode())
        return 0
    if args.command == "keys":
        print(asyncio.run(_create_key(args.name, args.webhook_url)))
        return 0
    if args.command == "api":
        return _serve_api(args.host, args.port)
    if args.command == "drain":
        from meetbridge_cli.drain import drain

        return drain(args.name, args.wait)
    if args.command == "worker":
        return _run_worker(args.name)
    if args.command == "url":
        return _check_url(args.url, args.vendor)
    if args.command == "run":
        from meetbridge_cli.local_run import run_local

        return asyncio.run(run_local(dict(os.environ)))
    return 2
