"""Services: the only code that changes the database; each call owns its transaction."""
