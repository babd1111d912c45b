"""Entry points: the `bankapp` command (`main.py`) and its sub-commands."""
