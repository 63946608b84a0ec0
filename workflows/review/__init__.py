"""The override review: what the named override reviewer reads each period, built from
the decisions and outcomes already stored (history -> metrics -> formats)."""
