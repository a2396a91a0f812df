"""The OpenAPI description of the finance endpoints: the shapes of their answers and the
example bodies (a small analysis and a small project list whose figures can be checked by
hand)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from urbanagenda.finance.model import CRITERIA, STREAM_KINDS
from urbanagenda.web.api._reporting import WRITE_ERRORS, multipart_body
from urbanagenda.web.api.common import ErrorResponse

__all__ = [
    "EXAMPLE_OSR",
    "EXAMPLE_PLAN",
    "FILE_CONTENT",
    "INPUT_ERRORS",
    "SAVE_ERRORS",
    "SUMMARY",
    "AnalysisRow",
    "OsrResultOut",
    "PeerRow",
    "PlanResultOut",
    "PlanRow",
    "ReformOut",
    "SavedOut",
    "StoredAnalysisOut",
    "StoredPlanOut",
    "body_doc",
]

#: A small analysis: property tax, one category.  By hand (METHODS.md §4):
#: actual = 600 × 2,000,000 × 0.01 = 12,000,000; κ = 1,000 / 1,200;
#: potential = 1,000 × 3,000,000 × 0.01 / κ = 36,000,000; gap = 24,000,000.
EXAMPLE_OSR: dict[str, Any] = {
    "format": "urbanagenda-osr/1",
    "local_government": "Example Town",
    "currency": "SLE",
    "example": True,
    "years": [
        {
            "year": 2023,
            "fiscal": {"population": 50000, "usd_rate": 22.5},
            "streams": [
                {
                    "kind": "property_tax",
                    "name": "Property rates",
                    "estimated": 1200,
                    "categories": [
                        {"name": "residential", "registered": 1000, "compliant": 600,
                         "assessed_value": 2000000, "market_value": 3000000, "rate": 0.01},
                    ],
                }
            ],
        }
    ],
}  # fmt: skip

#: A small project list with a budget.
EXAMPLE_PLAN: dict[str, Any] = {
    "format": "urbanagenda-invest/1",
    "name": "Example Town capital plan",
    "currency": "SLE",
    "start_year": 2026,
    "horizon": 5,
    "budget": 100000000,
    "example": True,
    "projects": [
        {"id": "P1", "name": "Market drainage", "sector": "drainage_resilience",
         "cost": 40000000, "years": 2, "population_served": 20000, "sdg_targets": ["11.5"],
         "stage": "feasibility"},
        {"id": "P2", "name": "Bus terminal", "sector": "transport", "cost": 80000000,
         "years": 3, "population_served": 35000, "sdg_targets": ["11.2"], "stage": "concept"},
    ],
}  # fmt: skip

FILE_CONTENT = {
    "text/html": {"schema": {"type": "string"}},
    "application/pdf": {"schema": {"type": "string", "format": "binary"}},
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": {
        "schema": {"type": "string", "format": "binary"}
    },
}

#: What an endpoint reading an analysis or a project list may answer besides the common errors.
INPUT_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {
        "model": ErrorResponse,
        "description": "The input is invalid: `details` lists every problem (place, found, "
        "expected, fix)",
    },
    413: {"model": ErrorResponse, "description": "The body is larger than the upload limit"},
    415: {"model": ErrorResponse, "description": "Neither JSON nor a form with a file"},
}
SAVE_ERRORS: dict[int | str, dict[str, Any]] = {**WRITE_ERRORS, **INPUT_ERRORS}
#: What a summary endpoint answers: the document as an attachment.
SUMMARY: dict[int | str, dict[str, Any]] = {
    200: {"description": "The summary (attachment)", "content": FILE_CONTENT}
}


def body_doc(example: dict[str, Any], what: str) -> dict[str, Any]:
    """``openapi_extra``: a JSON body (with ``example``) or a form uploading a file."""
    doc = multipart_body(
        {"file": {"type": "string", "format": "binary",
                  "description": f"{what}: YAML, JSON, CSV or the Excel template"}},
        ["file"],
    )  # fmt: skip
    doc["requestBody"]["content"]["application/json"] = {
        "schema": {"type": "object"},
        "example": example,
    }
    return doc


class _Open(BaseModel):
    model_config = ConfigDict(extra="allow")


class OsrResultOut(_Open):
    """``OsrResult.to_dict()``: the input, per year every stream's actual, potential, gap
    and parts (``{central, low, high}``), the total, fiscal indicators, sensitivity and
    recommendations; trends across years; warnings."""

    input: dict[str, Any]
    years: list[dict[str, Any]]
    trends: list[dict[str, Any]]
    warnings: list[str]
    method: str = Field(examples=["urbanagenda-osr/1"])


class AnalysisRow(_Open):
    id: int
    lg_name: str = Field(examples=["Freetown City Council"])
    area_code: str | None
    year: int
    version: int
    currency: str = Field(examples=["SLE"])
    example: bool = Field(description="an illustration, not an official analysis")
    actual: float
    potential: float
    gap: float


class StoredAnalysisOut(_Open):
    """A stored year of an analysis: its row, the input, the result and the other years and
    versions of the same local government (for trends)."""

    id: int
    year: int
    result: dict[str, Any]


class PeerRow(_Open):
    lg_name: str | None = None
    year: int | None = None


class ReformOut(_Open):
    id: str = Field(examples=["revaluation-cycle"])
    parts: list[str] = Field(description="coverage, compliance, valuation or rate")
    kinds: list[str] = Field(description=f"stream kinds ({', '.join(STREAM_KINDS)}) or any")
    cause: str
    reform: str


class PlanResultOut(_Open):
    """``PlanResult.to_dict()``: the projects ranked with each criterion's value, weight and
    contribution, the plan by year within the envelope, the unfunded projects with the
    reason, the needs used and the weights' sensitivity."""

    input: dict[str, Any]
    ranked: list[dict[str, Any]] = Field(description=f"criteria: {', '.join(CRITERIA)}")
    plan: list[dict[str, Any]]
    unfunded: dict[str, str]
    envelope_by_year: dict[str, float]
    spent_by_year: dict[str, float]
    envelope_source: str


class PlanRow(_Open):
    id: int
    name: str
    version: int


class StoredPlanOut(_Open):
    id: int
    result: dict[str, Any]


class SavedOut(BaseModel):
    ids: list[int] = Field(description="the stored rows (an analysis: one per year)")
    urls: list[str]
