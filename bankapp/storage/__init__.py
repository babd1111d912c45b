"""Storage: SQLAlchemy tables, the engine factory, transactions and migrations."""
