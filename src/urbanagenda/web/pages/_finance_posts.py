"""What the finance pages' posts share: the problems of an upload as lines of the form's error
list, and the download of a result (JSON, or its summary as PDF, DOCX or HTML)."""

from __future__ import annotations

import orjson
from starlette.responses import Response

from urbanagenda.finance.model import OsrResult, PlanResult
from urbanagenda.web.errors import ApiError

__all__ = ["detail_messages", "download_response"]


def detail_messages(exc: ApiError) -> list[str]:
    """Each problem of a ``400`` (:func:`~urbanagenda.web.api._finance_common.invalid`) as a
    line: where, the problem and the fix."""
    return [
        f"{d.get('where')}: {d.get('problem')}" + (f" {d['fix']}" if d.get("fix") else "")
        for d in exc.details
    ]


async def download_response(
    result: OsrResult | PlanResult, fmt: str, doc_lang: str, name: str
) -> Response:
    """``result`` as ``{name}.json``, or its summary in ``doc_lang`` as
    ``{name}-{doc_lang}.{fmt}``."""
    from urbanagenda.web.api._finance_plans import summary_response

    if fmt == "json":
        body = orjson.dumps(result.to_dict(), option=orjson.OPT_INDENT_2)
        return Response(body, media_type="application/json", headers={
            "Content-Disposition": f'attachment; filename="{name}.json"',
            "Cache-Control": "no-store"})  # fmt: skip
    return await summary_response(result, fmt, doc_lang, f"{name}-{doc_lang}")
