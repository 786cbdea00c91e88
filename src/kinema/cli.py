"""The ``kinema`` command line."""

from __future__ import annotations

import typer

app = typer.Typer(
    name="kinema",
    help="Kinema: a self-hostable AI video studio and social app.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
admin_app = typer.Typer(help="Administration: users, invites, API keys, demo data.",
                        no_args_is_help=True)
app.add_typer(admin_app, name="admin")


def main() -> None:
    app()
