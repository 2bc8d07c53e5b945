"""Testing support for backend-manager projects: the pytest plugin, clients, accounts, tokens."""
