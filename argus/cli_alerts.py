"""``argus alerts``: apply alert channels and rules from a YAML file (GitOps), list them.

Loaded by every ``argus`` invocation: pydantic, the database driver and YAML are imported by
the command that uses them, not here (see ``argus.cli``).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from argus.cli_support import console, fail, load_settings, print_table, run
from argus.errors import ArgusError, InputError

if TYPE_CHECKING:
    from argus.alerts.rules import AlertsFile, ChannelSpec
    from argus.config import Settings
    from argus.store.alerts import Applied, ChannelRecord, StoredRule

alerts_app = typer.Typer(help="Alert rules and notification channels.", no_args_is_help=True)


def read_alerts_file(path: Path) -> AlertsFile:
    """The file's channels and rules, validated; InputError naming what is wrong."""
    import yaml
    from pydantic import ValidationError

    from argus.alerts.rules import AlertsFile

    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        return AlertsFile.model_validate(doc)
    except ValidationError as exc:  # where and why, never the values (a URL holds a token)
        where = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()[:10]
        )
        raise InputError(f"cannot use {path}: {where}") from None
    except (OSError, yaml.YAMLError) as exc:
        raise InputError(f"cannot use {path}: {str(exc)[:500]}") from exc


def resolve_channels(doc: AlertsFile, env: dict[str, str]) -> list[ChannelSpec]:
    """The file's channels with ``url_env``/``secret_env`` read from ``env``."""
    from pydantic import SecretStr, ValidationError

    from argus.alerts.rules import ChannelSpec

    specs = []
    for c in doc.channels:
        url = _value(c.name, "url", c.url, c.url_env, env)
        secret = _value(c.name, "secret", c.secret, c.secret_env, env)
        if url is None:
            raise InputError(f"channel {c.name!r} has no url (give url or url_env)")
        try:
            specs.append(
                ChannelSpec(
                    name=c.name,
                    kind=c.kind,
                    url=SecretStr(url),
                    secret=SecretStr(secret) if secret else None,
                )
            )
        except ValidationError as exc:
            raise InputError(f"channel {c.name!r}: {exc.errors()[0]['msg']}") from exc
    return specs


def _value(
    channel: str, what: str, literal: str | None, var: str | None, env: dict[str, str]
) -> str | None:
    if var is None:
        return literal
    if var not in env:
        raise InputError(f"channel {channel!r}: environment variable {var} ({what}) is not set")
    return env[var]


async def _with_connection(
    settings: Settings, doc: AlertsFile | None
) -> tuple[list[Applied], list[ChannelRecord], list[StoredRule]]:
    from argus.runtime.services import running_database
    from argus.store import alerts
    from argus.store.connection import connect

    async with running_database(settings) as database, await connect(database.url) as conn:
        done: list[Applied] = []
        if doc is not None:
            channels = resolve_channels(doc, dict(os.environ))
            done = await alerts.apply(conn, channels, doc.rules, prune=doc.prune)
        return done, await alerts.list_channels(conn), await alerts.list_rules(conn)


@alerts_app.command()
def apply(
    path: Annotated[Path, typer.Argument(help="YAML file with 'channels:' and 'rules:'")],
) -> None:
    """Make the stored channels and rules those of the file (idempotent; 'prune: true' in the
    file deletes the others). Secrets may come from environment variables (url_env,
    secret_env), so the file can be committed."""
    settings = load_settings()
    try:
        doc = read_alerts_file(path)
    except ArgusError as exc:
        raise fail(exc) from None
    done, _, _ = run(_with_connection(settings, doc))
    print_table(["kind", "name", "change"], [(a.kind, a.name, a.change) for a in done])
    changed = sum(a.change != "unchanged" for a in done)
    console.print(f"{len(done)} objects, {changed} changed.")


@alerts_app.command("list")
def list_alerts() -> None:
    """Show the stored channels (without secrets) and rules."""
    _, channels, rules = run(_with_connection(load_settings(), None))
    print_table(
        ["channel", "kind", "target", "secret"],
        [(c.name, c.kind, c.target, "yes" if c.has_secret else "no") for c in channels],
        title="channels",
    )
    print_table(
        ["rule", "enabled", "severity", "match", "suppress", "escalation", "channels"],
        [_rule_row(r) for r in rules],
        title="rules",
    )


def _rule_row(stored: StoredRule) -> tuple[str, ...]:
    s = stored.spec
    match = s.match.model_dump(exclude_defaults=True)
    esc = s.escalation
    return (
        s.name,
        "yes" if s.enabled else "no",
        s.severity,
        ", ".join(f"{k}={v}" for k, v in match.items()) or "any incident",
        f"{s.suppress_s:g} s",
        f"{esc.repeats} in {esc.within_s:g} s -> {esc.severity}" if esc else "-",
        ", ".join(s.channels),
    )
