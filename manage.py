#!/usr/bin/env python
import os
import sys


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kmportal.settings")
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    try:
        execute_from_command_line(sys.argv)
    except ImproperlyConfigured as error:
        # A bad or missing environment variable: its message names the variable; a traceback would hide it.
        sys.exit(f"kmportal: configuration error: {error}")


if __name__ == "__main__":
    main()
