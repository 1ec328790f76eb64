"""Channels adapt the outside world (Telegram, a terminal) to the service."""
