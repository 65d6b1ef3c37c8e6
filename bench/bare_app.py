"""The baseline beside the portal in bench/portal_load.py: a bare FastAPI endpoint answering a small HTML page,
no session, no database, no template, served by uvicorn the same way."""

from fastapi import FastAPI
from fastapi.responses import HTMLResponse

app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)


@app.get("/ping")
def ping() -> HTMLResponse:
    return HTMLResponse("<!doctype html><title>ping</title><p>ok</p>")
