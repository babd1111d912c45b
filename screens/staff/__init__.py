"""Staff (teller and admin) screens: customer service, cash drawer, approvals, administration."""
