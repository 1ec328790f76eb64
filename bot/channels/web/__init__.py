"""The web chat: pupils (and parents) in a browser, with no account, no app and no cookies."""
