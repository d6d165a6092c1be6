"""``python -m streamlearn`` is the ``streamlearn`` command."""

from streamlearn.cli import app

app(prog_name="streamlearn")
