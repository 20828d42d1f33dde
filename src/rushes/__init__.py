"""Rushes: render, review and re-render the shots of an AI short film."""

__version__ = "0.1.0"
