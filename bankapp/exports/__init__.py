"""Statement and ledger exports: CSV, PDF and Beancount files under the chosen folder."""
