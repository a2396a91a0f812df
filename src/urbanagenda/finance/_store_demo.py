"""The demo's finance example: the bundled example OSR analysis and project list
(``finance/data/examples``, public cited figures, marked as examples) analysed, ranked and
stored, for ``urbanagenda demo``."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from sqlalchemy import Engine

__all__ = ["EXAMPLES", "example_files", "load_examples"]

#: Where the bundled examples are: ``<city>_osr.yaml`` and ``<city>_projects.yaml``.
EXAMPLES = Path(str(resources.files("urbanagenda.finance"))) / "data" / "examples"


def example_files(kind: str) -> list[Path]:
    """The bundled examples of ``kind`` (``osr`` or ``projects``), by name."""
    return sorted(EXAMPLES.glob(f"*_{kind}.yaml"))


def load_examples(engine: Engine) -> dict[str, int]:
    """Analyse and store every bundled example analysis, then rank and store every example
    project list (its envelope and needs from the store, as ``invest rank`` would); the
    same examples again add nothing.  How many analyses (local government × year) and plans
    the store then holds."""
    from urbanagenda.finance import store
    from urbanagenda.finance.analysis import analyse
    from urbanagenda.finance.files import read_osr_file, read_plan_file

    for path in example_files("osr"):
        result = analyse(read_osr_file(path), population=store.population_lookup(engine))
        store.save_analysis(engine, result, source_file=path.name)
    for path in example_files("projects"):
        plan = store.rank_plan(engine, read_plan_file(path))
        store.save_plan(engine, plan, source_file=path.name)
    return {
        "osr_analyses": len(store.list_analyses(engine)),
        "investment_plans": len(store.list_plans(engine)),
    }
