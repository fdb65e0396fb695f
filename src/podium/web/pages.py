"""The web part of the app: pages, their error pages, and static assets."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from starlette.responses import RedirectResponse
from starlette.staticfiles import StaticFiles

from podium.web import (
    account,
    assets,
    audit_log,
    benefits,
    calendar_pages,
    depmap,
    forecast,
    governance,
    governance_edits,
    governance_forms,
    health_rules,
    history,
    impact,
    imports,
    integrations,
    members,
    milestones,
    my_work,
    performance,
    program_settings,
    programs,
    project_settings,
    projects,
    reports,
    resource_pages,
    resources,
    risk_actions,
    risks,
    roadmap,
    scenarios,
    search,
    signin,
    tasks,
    user_pages,
)
from podium.web.errors import install_html_errors
from podium.web.templating import STATIC_DIR


def install_web(app: FastAPI, *, node_modules: Path | None = None) -> None:
    """Mount the pages, ``/static`` (our CSS/JS) and ``/assets/<package>/…`` (npm libraries).

    Call after the API's error handlers are installed: pages wrap them.
    """
    app.state.assets = assets.Assets(node_modules or assets.NODE_MODULES)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    # what a browser asks for on a page without an icon link (the API's HTML report)
    app.add_api_route(
        "/favicon.ico",
        lambda: RedirectResponse("/static/favicon.svg", status_code=301),
        include_in_schema=False,
    )
    app.include_router(assets.router)
    app.include_router(signin.router)
    areas = (
        program_settings,
        programs,
        roadmap,
        depmap,
        impact,
        projects,
        tasks,
        history,
        performance,
        forecast,
        reports,
        risk_actions,
        risks,
        benefits,
        governance,
        governance_edits,
        governance_forms,
        resources,
        resource_pages,
        calendar_pages,
        scenarios,
        imports,
        integrations,
        members,
        account,
        user_pages,
        audit_log,
        my_work,
        search,
        milestones,
        project_settings,
        health_rules,
    )
    for area in areas:
        app.include_router(area.router)
    install_html_errors(app)
