"""Small typed modal dialogs: confirm, help, idle lock, open account."""
