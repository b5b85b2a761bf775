"""HTTP API and dashboard: `marsad serve --db FILE`.

`app.create_app(ServiceConfig(...))` builds the FastAPI application: JSON routes under
/v1 (extract, events, articles, stats, export, ingest), /healthz, the OpenAPI page at
/docs and the dashboard at /, whose scripts read only the JSON routes. All front-end
files are served from `static/` (vendored from npm by `build_assets.sh`, with their
licences), so the page makes no request to any other host.
"""
