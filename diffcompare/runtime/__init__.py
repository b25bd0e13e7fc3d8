"""What bounds every computation: work budgets, worker processes, limits on what comes in,
output written safely, and the signals that end a command."""
