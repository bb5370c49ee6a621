"""Test harness shared by tests/ and bench/: real Postfix and PostgreSQL instances, the Slack stand-ins,
the signed-request client and the answers evaluation helper."""
