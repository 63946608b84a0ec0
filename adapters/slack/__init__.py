"""The Slack adapter: Block Kit rendering of neutral messages, bolt listeners for clicks,
modals, the App Home and `/sopbot`, mounted at `POST /slack/events` or in Socket Mode."""
