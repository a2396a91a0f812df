"""Interoperability with other SDG reporting systems (Open SDG data repositories)."""
