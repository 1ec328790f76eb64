"""Not code: makes `locales/` the data package `bot._locales` when the bot is installed.

pyproject.toml maps it there (`package-dir`), and `bot/resources.py` finds it through the package.
"""
