"""What the LLM writes: deep dives and answers, through the one litellm boundary."""
