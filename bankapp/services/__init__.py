"""Services: every use case of the bank, each one transaction, each checking its actor."""
