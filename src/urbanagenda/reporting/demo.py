"""The demo library: the Secretary-General's report of the seed as a reference document,
and example national reports and VLRs written for the demo (marked as examples), loaded by
``urbanagenda demo``.  OWNER: demo-content helper."""

from __future__ import annotations

from sqlalchemy import Engine

__all__ = ["load_demo_library"]


def load_demo_library(engine: Engine) -> dict[str, int]:
    """Load (once) the reference document, example reports and VLRs; counts by kind."""
    raise NotImplementedError
