"""Progress assessment and aggregation: pure, vectorised functions on observation frames."""
