"""The README stays true: every command and make target it shows exists, with the options it shows."""

import re
from pathlib import Path

import pytest
from django.core.management import get_commands, load_command_class

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text()
MAKEFILE = (ROOT / "Makefile").read_text()


def _commands_shown():
    """(command, options) for every `manage.py <command> …` in the README, options as written after it."""
    shown = []
    for line in re.findall(r"manage\.py ([a-z_]+)([^`\n|]*)", README):
        command, rest = line
        shown.append((command, sorted(set(re.findall(r"(--[a-z][a-z-]*)", rest)))))
    return shown


def test_the_readme_shows_commands():
    assert len(_commands_shown()) >= 10


@pytest.mark.parametrize(("command", "options"), _commands_shown())
def test_every_management_command_in_the_readme_exists_with_its_options(command, options):
    commands = get_commands()
    assert command in commands, f"README shows manage.py {command}, which does not exist"
    parser = load_command_class(commands[command], command).create_parser("manage.py", command)
    known = {option for action in parser._actions for option in action.option_strings}
    assert not set(options) - known, f"manage.py {command} has no {sorted(set(options) - known)}"


def test_every_make_target_in_the_readme_exists():
    targets = set(re.findall(r"^([a-z][a-z-]*):", MAKEFILE, re.MULTILINE))
    shown = set(re.findall(r"`make (?:-s )?([a-z][a-z-]*)", README)) | set(
        re.findall(r"^make (?:-s )?([a-z][a-z-]*)", README, re.MULTILINE)
    )
    assert shown, "the README shows no make target"
    assert not shown - targets, f"README shows make targets the Makefile lacks: {sorted(shown - targets)}"
