"""The core every layer may import: domain enums, the configuration model, durations,
neutral messages and the Chat port, clocks and business hours, input models. It imports
nothing else of the project."""
