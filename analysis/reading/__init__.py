"""How a paper is read: its full text fetched (HTML, else PDF, else the abstract), parsed and cut to a budget."""
