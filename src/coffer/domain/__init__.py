"""The pure model: names, ARNs and rules. No SQL, no HTTP."""
