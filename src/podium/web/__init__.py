"""Server-rendered pages (Jinja2 + HTMX) and static assets."""
