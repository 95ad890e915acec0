"""The layers of the portal's code, bottom to top. A package may import its own layer's code and any lower
layer's, never a higher one: tests/core/test_layers.py walks every module (migrations and tests aside) and
fails on an upward import or an import cycle between packages.

    core       shared library: Buddhist-era dates, fields, widgets, admin helpers, middleware
    accounts   accounts and the role table (who may do what)
    agencies   geography, organizations, people, PDPA (a registry the apps above fill in)
    forums     sessions, invitations, attendance, turnout
    analytics  attendance-consistency metrics and the dashboard (a registry of tiles the apps above fill in)
    lessons    lesson-learned notes
    api        open-data and partner API
    reports    the governor's monthly brief (reads analytics and lessons)
    portal     home page, health check, privacy notice, error pages, demo data, the benchmark command
    kmportal   settings, root URLs, WSGI: wires everything

A lower package that must reach a higher one offers a registry instead (agencies.pdpa.register,
analytics.tiles.register), which the higher one fills in from its AppConfig.ready.
"""

LAYERS: list[str] = [
    "core",
    "accounts",
    "agencies",
    "forums",
    "analytics",
    "lessons",
    "api",
    "reports",
    "portal",
    "kmportal",
]
