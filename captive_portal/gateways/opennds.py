"""Written next: see the captive-portal issue."""
