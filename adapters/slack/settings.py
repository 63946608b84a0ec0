"""What the Slack adapter needs from the environment, as plain values: the adapter
cannot import the application's settings (it sits below `bot/`), so the composition
root hands it this."""

from __future__ import annotations

from pydantic import BaseModel, SecretStr

DEFAULT_API_URL = "https://slack.com/api/"


class SlackSettings(BaseModel):
    bot_token: SecretStr
    signing_secret: SecretStr | None = None  # None: HTTP mode off, nothing posted is trusted
    app_token: SecretStr | None = None  # Socket Mode instead of HTTP
    api_url: str = DEFAULT_API_URL
