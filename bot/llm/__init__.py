"""Everything about the model: facts, token counts, planning, budgets and calls."""
