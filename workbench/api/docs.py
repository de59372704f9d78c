"""The API's contract: the OpenAPI 3.1 document generated from the routes and their pydantic schemas."""

from __future__ import annotations

from flask import jsonify

from . import bp, spec


@bp.get("/openapi.json")
def openapi():
    """Serve the OpenAPI 3.1 document that spectree generates from the routes and their pydantic schemas."""
    return jsonify(spec.spec)
