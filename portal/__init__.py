"""The web portal (issue 17): units sign in from a link and see and answer what is theirs, in Chinese, served
by FastAPI with server-rendered Jinja2 pages (templates/portal/). It sits beside flows/: it imports tasks,
models, rules and core, and only the CLI (`dudao portal …`) imports it.

- `secret.py`: the one secret that signs links and sessions.
- `links.py`: a unit's sign-in link (signed, expiring, revocable through the unit's epoch in the ledger).
- `guard.py`: the session (who is signed in, in which role), CSRF tokens, the secure headers, and the one
  place leadership's writes are refused.
- `accounts.py`: the accounts of the office, inspectors (linked to the roster) and leadership.
- `unit_views.py`: what a unit may read, each query scoped to the unit (covert visits as secrecy allows).
- `unit_pages.py`: the unit's pages and its rectification report form.
- `inspector_views.py`, `inspector_pages.py`, `inspector_forms.py`: an inspector's teams (a covert visit from
  its day), his on-site visit, 回头看 and routine-visit forms through the import's code path.
- `gate.py`: the one middleware: the session cookie, a POST's limits, leadership's posts refused, the headers.
- `app.py`: the application: its middleware, error pages in Chinese, the routes.
- `serving.py`: `dudao portal serve --workers N`: the secret before the workers, each worker's PostgreSQL
  pool within the server's connections, the workers' application frozen out of the collector's sight.
"""
