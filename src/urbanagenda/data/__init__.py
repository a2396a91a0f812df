"""Bundled real data (see ATTRIBUTION.md); read with importlib.resources."""
