"""The portal's pages: Jinja2 from templates/portal/, HTML autoescaped (whatever a person typed is shown as
text), every page given its CSRF token."""

from functools import lru_cache

from fastapi import Request
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from core.paths import REPO_ROOT

TEMPLATES = REPO_ROOT / "templates" / "portal"


@lru_cache
def templates() -> Jinja2Templates:
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=True, undefined=StrictUndefined,
                      trim_blocks=True, lstrip_blocks=True)
    return Jinja2Templates(env=env)


def page(request: Request, name: str, context: dict, status_code: int = 200):
    from portal.unit_pages import template_globals  # the labels live with the pages that use them

    return templates().TemplateResponse(request, name, {**template_globals(), "unit": None, "user": None, **context,
                                                        "csrf": request.session.get("csrf", "")},
                                        status_code=status_code)


def message(request: Request, title: str, text: str, status_code: int):
    return page(request, "message.html", {"title": title, "message": text}, status_code=status_code)


def not_found(request: Request):
    return message(request, "未找到", "没有找到该页面，或该内容不属于本单位。", 404)
