"""Where the papers come from: Hugging Face's daily list, the arXiv API and listings, saved files, ids; one pool."""
