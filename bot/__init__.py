"""sopbot core: domain types, configuration, neutral messages, clock, and the app's face."""
