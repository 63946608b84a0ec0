"""Context rules: planners' knowledge as matchable rules, reviewed by a facilitator and
shown on the recommendations they bear on."""
