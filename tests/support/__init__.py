"""Test harness shared by tests/ and bench/: real Postfix and PostgreSQL instances, the Slack stand-ins,
the signed-request client, the answers evaluation helper and a seeded routing database."""
