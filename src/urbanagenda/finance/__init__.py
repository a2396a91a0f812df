"""Local finance tools: own-source revenue gap analysis (:mod:`.osr`)."""
