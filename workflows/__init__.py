"""Use cases, one package per domain (its docstring says what it owns). No chat platform
code here: workflows speak the neutral message model and the `Chat` port.

What the layers above (adapters/, bot/) may import is each domain package's `__all__`
(`from workflows.decisions import DecisionRequest`), plus the modules named in
`PUBLIC_MODULES`; the modules inside a package are its own business. The architecture
test (tests/core/test_architecture.py) holds adapters and bot to that."""

# Top-level modules the layers above use as they are: the services bundle every
# adapter is handed, the refusals every adapter renders, and the metering port.
PUBLIC_MODULES = ("workflows.service", "workflows.errors", "workflows.metering")
