"""SQLite storage: one connection, migrations at start-up, one transaction per inbound."""
