"""The top layer: the home page, /healthz, the privacy notice, error pages and the demo builder command.

It may import every app; no app imports it.
"""
