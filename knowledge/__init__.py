"""Help articles (`<lang>/<topic>.md.j2`), installed as the data package `bot.knowledge`."""
