"""``python -m streamlearn`` is the ``streamlearn`` command."""

from streamlearn.cli import app

if __name__ == "__main__":  # not when a spawned learner process imports this module
    app(prog_name="streamlearn")
