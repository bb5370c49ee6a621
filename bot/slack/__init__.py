"""The Slack adapter: a Bolt app whose listeners render what the core returns as Block Kit."""
