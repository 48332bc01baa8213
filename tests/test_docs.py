"""Documentation: every CLI command and every setting is described in README.md."""

from __future__ import annotations

from pathlib import Path

from storyline.config import Settings
from storyline.serve.cli import app

README = (Path(__file__).resolve().parents[1] / "README.md").read_text("utf-8")


def test_every_cli_command_is_in_the_readme():
    names = [c.name or c.callback.__name__ for c in app.registered_commands]
    assert len(names) >= 9
    missing = [n for n in names if f"storyline {n}" not in README]
    assert missing == []


def test_every_cli_command_has_help():
    assert all(c.callback.__doc__ for c in app.registered_commands)


def test_every_setting_is_in_the_readme_and_has_help():
    for name, field in Settings.model_fields.items():
        assert f"`{name}`" in README, name
        assert field.description, name


def test_readme_gives_the_two_commands_first():
    block = README.split("```")[1]
    assert "make run" in block and "make test" in block


def test_every_cli_command_takes_db():
    import inspect

    for command in app.registered_commands:
        assert "db" in inspect.signature(command.callback).parameters, command.callback.__name__
