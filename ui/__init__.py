"""Presentation helpers shared by app.py and pages/: string catalogue, filters, chart template,
chart blocks. Never builds SQL: data comes from analytics/ functions."""
