"""The bot outside the escalation channel (issue 24): Slack refuses every escalation copy
`not_in_channel`, so `sopbot serve --check` says so, and so does the log at start."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli import app
from bot.runtime import build_runtime
from core.clock import AdjustableClock
from core.config import Config
from tests.fakes.slack_api import FakeSlackApi
from tests.support.data import ROOT
from tests.support.slack import slack_settings

ESCALATIONS = "C0ESCALATE"


def check(fake: FakeSlackApi, config_file: Path) -> tuple[int, str, str]:
    env = {
        "SLACK_BOT_TOKEN": "xoxb-1",
        "SLACK_SIGNING_SECRET": "s",
        "SLACK_APP_TOKEN": "",
        "SLACK_API_URL": fake.url,
        "SOPBOT_CONFIG": str(config_file),
        "TEAMS_ENABLED": "",
        "TEAMS_APP_ID": "",
        "TEAMS_APP_PASSWORD": "",
    }
    result = CliRunner().invoke(app, ["serve", "--check"], env=env)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def config_file(tmp_path: Path) -> Path:
    demo = (ROOT / "core" / "data" / "demo.yml").read_text()
    path = tmp_path / "sopbot.yml"
    path.write_text(demo.replace("channel: sop-decisions", f"channel: {ESCALATIONS}"))
    return path


def test_check_reports_not_in_channel_and_what_to_do(config_file: Path) -> None:
    with FakeSlackApi() as fake:
        fake.outside.add(ESCALATIONS)
        code, out, err = check(fake, config_file)
        assert (code, err) == (0, "")
        [_verdict, warning] = out.strip().splitlines()
        assert warning.startswith("warning: Slack not_in_channel")
        assert ESCALATIONS in warning and "/invite @sopbot" in warning
        assert [p["channel"] for p in fake.calls_to("conversations.info")] == [ESCALATIONS]

        fake.outside.clear()  # invited: nothing to say
        code, out, err = check(fake, config_file)
        assert (code, err, len(out.strip().splitlines())) == (0, "", 1)


def test_the_log_says_it_at_start(
    db_url: str, config: Config, clock: AdjustableClock, caplog: pytest.LogCaptureFixture
) -> None:
    with FakeSlackApi() as fake:
        fake.outside.add(ESCALATIONS)
        pinned = config.model_copy(update={"channel": ESCALATIONS})
        runtime = build_runtime(slack_settings(db_url, fake), config=pinned, clock=clock)
        with caplog.at_level(logging.WARNING, logger="adapters.slack.app"):
            runtime.start()
            try:
                [adapter] = runtime.adapters
                assert adapter.channel_check is not None
                adapter.channel_check.join(timeout=30)
            finally:
                runtime.stop()
        said = [r.getMessage() for r in caplog.records if "not_in_channel" in r.getMessage()]
        assert len(said) == 1 and ESCALATIONS in said[0]
