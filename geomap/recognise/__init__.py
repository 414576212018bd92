"""Recognise the places an article names: the stage between ingest and resolve.

``rules`` spots names the gazetteer knows (with inflections and feature phrases).
"""

from geomap.recognise.rules import spot

__all__ = ["spot"]
