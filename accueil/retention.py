"""What the online reception keeps, why, and for how long (sites.retention). Filled in with the purges."""
