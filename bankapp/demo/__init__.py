"""The demo bank: its published sign-ins and the seeded data `bankapp demo` builds."""
