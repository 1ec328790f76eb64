"""Not code: makes `flows/` the data package `bot._flows` when the bot is installed.

pyproject.toml maps it there (`package-dir`), and `bot/resources.py` finds it through the package.
"""
