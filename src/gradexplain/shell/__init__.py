"""The user-facing shells: the Typer CLI and the REPL."""
