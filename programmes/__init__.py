"""Programmes and cooperations (#19): models, partners, pages; the blueprint is programmes.views.bp."""
