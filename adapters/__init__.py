"""Chat platforms: each sub-package renders neutral messages and turns the platform's
events into workflow calls, nothing else."""
