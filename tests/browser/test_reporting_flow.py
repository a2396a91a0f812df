"""The whole reporting flow in Chromium (issue #5, item 11), on a real server over a copy of
the demo database with three accounts and a published 2024 report of Nigeria:

a national focal point signs in, starts an update of the previous report, edits a section
(a Chinese sentence on slums), submits; a reviewer signs in, starts the review, comments on
the section and returns the report; the focal point sees the comment, edits, resubmits; the
reviewer publishes; a public visitor in a fresh browser finds the report with a Chinese
query (贫民窟).  Every page on the way is checked with axe-core and photographed.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "a long and private passphrase 7"
SECTION = "social_inclusion"
FIRST = "拉各斯州的贫民窟改造计划于2025年启动。"
SECOND = "拉各斯州的贫民窟改造计划于2025年启动，已惠及十二万居民。"
COMMENT = "Give the number of residents reached by the programme."


@pytest.fixture(scope="module")
def site(
    demo_db: str, tmp_path_factory: pytest.TempPathFactory, start_server: Any
) -> Iterator[str]:
    """A real server over a copy of the demo database with accounts and a published
    previous report of Nigeria (written through the reporting functions).  Overrides the
    shared ``site`` fixture for this module, so ``visit`` drives this server."""
    from urbanagenda.reporting import accounts, documents
    from urbanagenda.store.engine import open_engine

    copy = tmp_path_factory.mktemp("flow") / "flow.sqlite"
    shutil.copy(Path(demo_db.removeprefix("sqlite:///")), copy)
    url = f"sqlite:///{copy}"
    engine = open_engine(url)
    focal = accounts.add_user(
        engine, "ngozi", PASSWORD, "national_focal_point", area_code="566",
        display_name="Ngozi Okafor",
    )  # fmt: skip
    reviewer = accounts.add_user(engine, "rita", PASSWORD, "reviewer", display_name="Rita Reviewer")
    previous = documents.create_report(
        engine, focal, country_code="566", year=2024, title="Nigeria: national report 2024"
    )
    version = documents.get_version(engine, previous.id)
    documents.save_section(
        engine, focal, previous.id, SECTION, base_version=version.number,
        narrative="Lagos State upgraded informal settlements in 2023.",
    )  # fmt: skip
    for actor, step in ((focal, "submit"), (reviewer, "start_review"), (reviewer, "publish")):
        documents.transition(engine, actor, previous.id, step)
    engine.dispose()

    with start_server(url, "server-reporting-flow.log") as base:
        yield base


def submit(page: Any, selector: str) -> None:
    """Click a submit button and wait for the page the form leads to."""
    with page.expect_navigation():
        page.click(selector)


def sign_in(visit: Any, username: str, next_path: str) -> None:
    visit.open(f"/en/login?next={next_path}")
    page = visit.page
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    submit(page, "form.login button[type=submit]")
    assert page.url.endswith(next_path), page.url


def sign_out(visit: Any) -> None:
    submit(visit.page, "header .account button")
    assert visit.page.locator("header .account a").inner_text().strip() == "Sign in"


def status_of(page: Any) -> str:
    return page.get_attribute("#report-status", "data-status-code") or ""


def test_the_whole_reporting_flow(visit: Any, browser: Any) -> None:
    page = visit.page

    # -- the national focal point starts an update of the previous report ---------------
    sign_in(visit, "ngozi", "/en/reports/new")
    assert page.locator("header .account a").inner_text().strip() == "Ngozi Okafor"
    visit.shot("reporting-new")
    visit.axe("reporting-new")
    page.fill("#year", "2026")
    page.check("#modality-update")
    submit(page, "form.stacked button[type=submit]")
    assert "/en/reports/" in page.url
    report_path = page.url.removeprefix(visit.base).split("#")[0]
    assert status_of(page) == "draft"
    # pre-filled from the published 2024 report, which the page links to with its changes
    assert "Lagos State upgraded informal settlements in 2023." in page.inner_text(
        f"#section-{SECTION}"
    )
    assert page.locator("#changes-link").count() == 1

    # edits a section in Chinese and submits
    submit(page, f"#section-{SECTION} a.edit")
    visit.shot("reporting-editor")
    visit.axe("reporting-editor")
    assert "slum" in page.inner_text("aside.guidance")  # the template's guidance beside it
    page.fill("#narrative", FIRST)
    submit(page, "form.editor button[type=submit]")
    assert FIRST in page.inner_text(f"#section-{SECTION}")
    submit(page, "button[data-step=submit]")
    assert status_of(page) == "submitted"
    visit.shot("reporting-submitted")
    visit.axe("reporting-report")
    sign_out(visit)

    # -- the reviewer starts the review, comments on the section and returns it ----------
    sign_in(visit, "rita", f"{report_path}/review")
    submit(page, "button[data-step=start_review]")
    assert page.url.endswith(f"{report_path}/review")
    assert status_of(page) == "in_review"
    page.fill(f"#comment-{SECTION}", COMMENT)
    submit(page, f"#review-{SECTION} form.comment-form button")
    assert COMMENT in page.inner_text(f"#review-{SECTION} .review-comments")
    visit.shot("reporting-review")
    visit.axe("reporting-review")
    page.fill("#note-return", "Please add the figures.")
    submit(page, "button[data-step=return]")
    assert status_of(page) == "returned"
    sign_out(visit)

    # -- the focal point sees the comment, edits, resubmits ------------------------------
    sign_in(visit, "ngozi", report_path)
    assert COMMENT in page.inner_text(f"#section-{SECTION} .review-comments")
    submit(page, f"#section-{SECTION} a.edit")
    assert COMMENT in page.inner_text(".review-comments")
    assert page.input_value("#narrative") == FIRST
    page.fill("#narrative", SECOND)
    submit(page, "form.editor button[type=submit]")
    submit(page, "button[data-step=submit]")
    assert status_of(page) == "submitted"
    sign_out(visit)

    # -- the reviewer publishes ----------------------------------------------------------
    sign_in(visit, "rita", f"{report_path}/review")
    submit(page, "button[data-step=start_review]")
    submit(page, "button[data-step=publish]")
    assert status_of(page) == "published"
    visit.open(report_path)
    # the audit log tells the story
    actions = page.eval_on_selector_all(
        "table.audit tr[data-action]", "rows => rows.map(r => r.dataset.action)"
    )
    for action in ("create", "edit", "submit", "start_review", "comment", "return", "publish"):
        assert action in actions, (action, actions)
    sign_out(visit)
    visit.check()

    # -- a public visitor, in a fresh browser, finds it with a Chinese query -------------
    context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=visit.base)
    try:
        public = type(visit)(page=context.new_page(), base=visit.base,
                             axe_source=visit.axe_source)  # fmt: skip
        public.page.on("pageerror", lambda error: public.problems.append(f"uncaught: {error}"))
        public.open("/zh/reports")
        assert public.page.locator(f'a[href="/zh{report_path.removeprefix("/en")}"]').count()
        public.shot("reporting-list")
        public.axe("reporting-list")
        public.page.fill("#site-search", "贫民窟")
        with public.page.expect_navigation():
            public.page.press("#site-search", "Enter")
        document_id = report_path.rsplit("/", 1)[1]
        hit = public.page.locator(f'#results-documents li.hit[data-document="{document_id}"]')
        assert hit.count() == 1
        assert "贫民窟" in hit.locator("mark").first.inner_text()
        assert "11.1" in public.page.inner_text("#query-terms")
        public.shot("reporting-search")
        public.axe("reporting-search")
        with public.page.expect_navigation():
            hit.locator("a").first.click()
        assert SECOND in public.page.inner_text(f"#section-{SECTION}")
        assert public.page.locator("[data-step]").count() == 0  # no workflow for the public
        assert public.page.locator("table.audit").count() == 0
        public.axe("reporting-public-report")
        public.open("/zh/vlrs")
        public.axe("reporting-vlrs")
        public.check()
    finally:
        context.close()
