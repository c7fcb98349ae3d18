"""The ``docgen`` command: serve, worker, config, tokenizers, schema, doctor (and suggest).

Every subcommand validates its settings before doing anything else, so a bad
setting ends the process with exit code 2 and one line naming it.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
from collections.abc import Callable, Sequence
from types import FrameType

from bot.errors import DocgenError, SettingsError
from bot.settings import Front, Settings, load_settings

EXIT_USAGE = 2


def _configure_logging(settings: Settings) -> None:
    from bot.logging_setup import configure_logging

    configure_logging(settings.docgen_log_level, settings.docgen_log_format)


def cmd_serve(args: argparse.Namespace) -> int:
    """Run the webhook receiver under uvicorn."""
    import uvicorn

    settings = load_settings(Front.WEB)
    _configure_logging(settings)
    # uvicorn shuts down gracefully on SIGTERM, then re-raises the signal; ending
    # with exit status 0 tells process managers the stop was clean.
    signal.signal(signal.SIGTERM, _exit_cleanly)
    uvicorn.run(
        "bot.web.app:app_from_env",
        factory=True,
        host=args.host,
        port=args.port or settings.port,
        log_level=settings.docgen_log_level.lower(),
        log_config=None,  # uvicorn's own lines go through docgen's handler: one format
        proxy_headers=True,
        access_log=False,  # docgen logs one line per delivery, with its id
        timeout_graceful_shutdown=10,
    )
    return 0


def _exit_cleanly(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(0)


def cmd_worker(args: argparse.Namespace) -> int:
    """Run the arq worker until SIGTERM or SIGINT."""
    settings = load_settings(Front.WORKER)
    _configure_logging(settings)
    from bot.worker.runner import build_worker

    worker = build_worker(settings, burst=args.burst)
    worker.run()
    return 0


def cmd_config(args: argparse.Namespace) -> int:
    """Print the effective settings, secrets masked, and the model's facts.

    With ``--repo PATH``: a repository's docgen settings and docstring rules instead,
    with where each came from.
    """
    if args.repo is not None:
        return _repo_config(args.repo, as_json=args.json)
    settings = load_settings(Front(args.front))
    facts = settings.model_facts()
    values, provider = settings.redacted(), settings.provider()
    if args.json:
        out = {"settings": values, "provider": provider, "model": vars(facts)}
        print(json.dumps(out, indent=2, default=str))
        return 0
    for name, value in values.items():
        print(f"{name:<34} {'' if value is None else value}")
    print(f"{'(provider in use)':<34} {provider or 'none configured'}")
    for name, value in vars(facts).items():
        print(f"{'(model) ' + name:<34} {value}")
    return 0


def _repo_config(path: str, *, as_json: bool) -> int:
    from pathlib import Path

    from bot.local.rules_report import load_from_tree, rules_report, rules_text

    root = Path(path)
    if not root.is_dir():
        print(f"docgen: error: --repo {path}: not a directory", file=sys.stderr)
        return EXIT_USAGE
    loaded = load_from_tree(root)
    if as_json:
        print(json.dumps(rules_report(loaded), indent=2, default=str))
    else:
        print(rules_text(loaded), end="")
    return 0


def cmd_tokenizers(args: argparse.Namespace) -> int:
    """Install the offline tokenizer files where tiktoken looks for them."""
    from bot.llm.encodings import install_encodings

    for path in install_encodings():
        print(path)
    return 0


def schema_text() -> str:
    """Return the JSON Schema of ``.github/docgen.yml`` as the shipped file holds it."""
    from bot.repo_config import config_schema

    return json.dumps(config_schema(), indent=2, sort_keys=True) + "\n"


def cmd_schema(args: argparse.Namespace) -> int:
    """Print the JSON Schema of ``.github/docgen.yml``, or check a file holds it."""
    text = schema_text()
    if args.check is None:
        sys.stdout.write(text)
        return 0
    from pathlib import Path

    try:
        shipped = Path(args.check).read_text(encoding="utf-8")
    except OSError as exc:
        print(f"docgen: error: --check {args.check}: {exc.strerror}", file=sys.stderr)
        return EXIT_USAGE
    if shipped == text:
        return 0
    print(
        f"docgen: {args.check} differs from the schema of this docgen; "
        f"regenerate it: docgen schema > {args.check}",
        file=sys.stderr,
    )
    return 1


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser of the ``docgen`` command."""
    parser = argparse.ArgumentParser(prog="docgen", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="run the webhook receiver (web process)")
    serve.add_argument("--host", default="0.0.0.0")
    serve.add_argument("--port", type=int, default=None, help="default: $PORT, else 8000")
    serve.set_defaults(handler=cmd_serve)

    worker = sub.add_parser("worker", help="run the job worker")
    worker.add_argument("--burst", action="store_true", help="stop when the queue is empty")
    worker.set_defaults(handler=cmd_worker)

    config = sub.add_parser("config", help="print the effective settings, secrets masked")
    config.add_argument(
        "--front",
        choices=[f.value for f in Front],
        default="cli",
        help="also check what this process needs (default: cli)",
    )
    config.add_argument("--json", action="store_true")
    config.add_argument(
        "--repo",
        metavar="PATH",
        help="show a repository's docgen settings and docstring rules, and where each came from",
    )
    config.set_defaults(handler=cmd_config)

    tok = sub.add_parser("tokenizers", help="install the offline tokenizer files")
    tok.set_defaults(handler=cmd_tokenizers)

    schema = sub.add_parser("schema", help="print the JSON Schema of .github/docgen.yml")
    schema.add_argument(
        "--check", metavar="FILE", help="exit 1 unless FILE holds exactly this schema"
    )
    schema.set_defaults(handler=cmd_schema)

    from bot.doctor.cli import add_parser as add_doctor

    add_doctor(sub)
    _add_suggest(sub)
    return parser


def _add_suggest(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    try:
        from bot.local.suggest_cli import add_parser
    except ImportError:  # the local front is optional while it is being built
        return
    add_parser(sub)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``docgen`` command line and return its exit code."""
    args = build_parser().parse_args(argv)
    handler: Callable[[argparse.Namespace], int] = args.handler
    try:
        return handler(args)
    except SettingsError as exc:
        print(f"docgen: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except DocgenError as exc:
        print(f"docgen: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
