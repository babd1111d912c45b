"""The Textual terminal UI of bankapp: screens call services in `bankapp`, never SQL."""
