"""The documented catalogue of causes of revenue gaps and the reforms that close them
(``data/reforms.yaml``), and the recommendations it gives for a stream's gap."""

from __future__ import annotations

from collections.abc import Mapping

from urbanagenda.finance.model import Recommendation

__all__ = ["recommend"]


def recommend(
    kind: str, stream: str, parts: Mapping[str, float], gap: float
) -> tuple[Recommendation, ...]:
    """Recommendations for a stream of ``kind`` whose gap splits into ``parts``."""
    return ()
