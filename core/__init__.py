"""The portal's shared library: Buddhist-era dates, form and model fields, widgets, admin helpers, middleware.

The lowest layer: it imports no app of the portal, and every app may import it.
"""
