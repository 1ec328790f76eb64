"""The Telegram channel: `channel.py` (updates in, replies out), `request.py` (the Bot API over
aiohttp), `menus.py` (the command menus) and `traits.py` (limits and what Telegram knows).

The only package that imports `telegram`; importing this package itself imports nothing heavy.
"""
