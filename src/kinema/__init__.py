"""Kinema: a self-hostable AI video studio and social app."""

__version__ = "0.1.0"
