"""Annotated data: reading, validation, conversion and statistics."""
