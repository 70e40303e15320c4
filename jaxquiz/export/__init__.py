"""Exporting decks to other study tools: Anki packages (`jaxquiz export --anki`)."""

from jaxquiz.export.anki import ExportReport, export_anki, note_guid

__all__ = ["ExportReport", "export_anki", "note_guid"]
