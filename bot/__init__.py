"""mailbot: explains mail routing to customers and changes it for support agents."""
