"""Microsoft Teams: Bot Framework (botbuilder-core `CloudAdapter`) behind `/api/messages`.

Every botbuilder/botframework import of the project lives in this package."""
