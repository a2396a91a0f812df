"""Browser tests (a package, so that its conftest is not the module named ``conftest``
that other test modules import helpers from)."""
