"""How a day is ranked: keywords, the team's taste, narrowing to the LLM pool, and LLM scoring."""
