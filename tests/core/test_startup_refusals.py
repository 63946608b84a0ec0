"""Fail closed: every partial or contradictory setting refuses to start with one line that
names the variable and what to do, exit 2, no traceback (issue 24). `serve --check`
prints the verdict without serving; a refused `serve` never opens the database."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli import app
from bot.settings import Settings
from bot.startup_checks import is_loopback, refusals
from core.config import DEMO_CONFIG_PATH
from tests.fakes.slack_api import FakeSlackApi

runner = CliRunner()

# Every variable the checks read, unset unless a case sets it.
CLEAN = {
    name: ""
    for name in (
        "SLACK_BOT_TOKEN",
        "SLACK_SIGNING_SECRET",
        "SLACK_APP_TOKEN",
        "TEAMS_ENABLED",
        "TEAMS_APP_ID",
        "TEAMS_APP_PASSWORD",
        "TEAMS_APP_TYPE",
        "TEAMS_TENANT_ID",
        "TEAMS_ALLOWED_TENANTS",
        "SOPBOT_API_TOKEN",
        "SOPBOT_DECISION_TOKEN",
        "SOPBOT_LOCAL_CHAT",
        "SOPBOT_CHAT_HOSTS",
    )
}
TEAMS = {"TEAMS_APP_ID": "app-1", "TEAMS_APP_PASSWORD": "pw", "TEAMS_TENANT_ID": "t-1"}

# (case, environment, host, the variable the one line must name first)
REFUSED = [
    ("slack token, no secret", {"SLACK_BOT_TOKEN": "xoxb-1"}, "127.0.0.1", "SLACK_BOT_TOKEN"),
    ("app token, no bot token", {"SLACK_APP_TOKEN": "xapp-1"}, "127.0.0.1", "SLACK_APP_TOKEN"),
    (
        "signing secret, no bot token",
        {"SLACK_SIGNING_SECRET": "s"},
        "127.0.0.1",
        "SLACK_SIGNING_SECRET",
    ),
    ("teams enabled, no app id", {"TEAMS_ENABLED": "1"}, "127.0.0.1", "TEAMS_ENABLED"),
    (
        "teams enabled, id without password",
        {"TEAMS_ENABLED": "1", "TEAMS_APP_ID": "app-1", "TEAMS_TENANT_ID": "t-1"},
        "127.0.0.1",
        "TEAMS_APP_ID",
    ),
    (
        "teams password without id",
        {"TEAMS_APP_PASSWORD": "pw", "TEAMS_TENANT_ID": "t-1"},
        "127.0.0.1",
        "TEAMS_APP_PASSWORD",
    ),
    (
        "multi-tenant without tenant",
        {**TEAMS, "TEAMS_TENANT_ID": "", "TEAMS_APP_TYPE": "MultiTenant"},
        "127.0.0.1",
        "TEAMS_APP_TYPE=MultiTenant",
    ),
    (
        "single tenant without tenant",
        {**TEAMS, "TEAMS_TENANT_ID": ""},
        "127.0.0.1",
        "TEAMS_APP_TYPE=SingleTenant",
    ),
    ("unknown app type", {**TEAMS, "TEAMS_APP_TYPE": "Multi"}, "127.0.0.1", "TEAMS_APP_TYPE"),
    (
        "api token is the decision token",
        {"SOPBOT_API_TOKEN": "same", "SOPBOT_DECISION_TOKEN": "same"},
        "127.0.0.1",
        "SOPBOT_API_TOKEN",
    ),
    ("web chat on every interface", {}, "0.0.0.0", "SOPBOT_CHAT_HOSTS"),
    ("web chat on a routable address", {}, "10.0.0.5", "SOPBOT_CHAT_HOSTS"),
    ("web chat on IPv6 any", {}, "::", "SOPBOT_CHAT_HOSTS"),
]


def run_serve(env: dict[str, str], *args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["serve", *args], env={**CLEAN, **env})
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize(("case", "env", "host", "variable"), REFUSED, ids=[c[0] for c in REFUSED])
def test_each_partial_setting_is_refused_in_one_line(
    case: str, env: dict[str, str], host: str, variable: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    def started(*_args: object, **_kwargs: object) -> None:
        raise AssertionError(f"{case}: serve went on to build the runtime")

    monkeypatch.setattr("bot.cli.build_runtime", started)
    for args in (["--check"], []):  # `--check` and a real start say the same, exit 2
        code, out, err = run_serve(env, "--host", host, *args)
        assert code == 2, (case, out, err)
        [line] = err.strip().splitlines()
        assert line.startswith(f"error: {variable}"), line
        assert ": set " in line or " set " in line  # says what to do
        assert "Traceback" not in out + err and "settings OK" not in out


@pytest.mark.parametrize(
    "env",
    [
        {},
        {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s"},
        {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xapp-1"},
        TEAMS,
        {**TEAMS, "TEAMS_TENANT_ID": "", "TEAMS_APP_TYPE": "MultiTenant"}
        | {"TEAMS_ALLOWED_TENANTS": "t-1,t-2"},
        {"SOPBOT_API_TOKEN": "a", "SOPBOT_DECISION_TOKEN": "b"},
    ],
    ids=["demo-like", "slack http", "slack socket", "teams", "teams allowed tenants", "tokens"],
)
def test_complete_settings_pass_the_check(env: dict[str, str]) -> None:
    with FakeSlackApi() as fake:  # `--check` asks Slack about the escalation channel
        code, out, err = run_serve({**env, "SLACK_API_URL": fake.url}, "--check")
    assert (code, err) == (0, "")
    assert out.startswith("settings OK: serving on 127.0.0.1")


def test_the_web_chat_beyond_loopback_is_served_when_named_or_off() -> None:
    named = {"SOPBOT_CHAT_HOSTS": "chat.example.internal"}
    assert run_serve(named, "--check", "--host", "0.0.0.0")[0] == 0
    assert run_serve({"SOPBOT_LOCAL_CHAT": "0"}, "--check", "--host", "0.0.0.0")[0] == 0
    slack = {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s"}
    assert run_serve(slack, "--check", "--host", "0.0.0.0")[0] == 0  # no web chat then


def test_the_half_slack_exploit_no_longer_opens_the_web_chat() -> None:
    """Before: a bot token without its secret switched Slack off and the login-free chat
    on, silently. The settings still read that way; serve refuses them."""
    settings = Settings.from_env({"SLACK_BOT_TOKEN": "xoxb-1"})
    assert not settings.slack_enabled and settings.local_chat_on
    assert refusals(settings, host="127.0.0.1")


def test_a_refused_serve_is_one_line_and_exit_2_from_the_shell(tmp_path: Path) -> None:
    database = tmp_path / "never.db"
    env = {
        **os.environ,
        **CLEAN,
        "TEAMS_ENABLED": "1",
        "SOPBOT_DATABASE_URL": f"sqlite:///{database}",
        "SOPBOT_CONFIG": str(DEMO_CONFIG_PATH),
    }
    result = subprocess.run(
        [sys.executable, "-m", "bot", "serve", "--port", "1"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert result.returncode == 2
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("error: TEAMS_ENABLED is set without TEAMS_APP_ID: set TEAMS_APP_ID")
    assert not database.exists()  # refused before anything was opened


def test_loopback_hosts() -> None:
    assert all(map(is_loopback, ["127.0.0.1", "127.3.2.1", "localhost", "::1", "[::1]"]))
    assert not any(map(is_loopback, ["0.0.0.0", "::", "10.0.0.5", "example.com", ""]))


def test_a_database_other_than_sqlite_or_postgresql_is_refused_in_one_line() -> None:
    result = CliRunner().invoke(
        app, ["serve", "--port", "1"], env={"SOPBOT_DATABASE_URL": "mysql+pymysql://u@h/db"}
    )
    assert result.exit_code == 2
    assert "SOPBOT_DATABASE_URL: sopbot stores its data in SQLite or PostgreSQL, not mysql" in (
        result.output
    )
    assert "Traceback" not in result.output
