"""Clean stage: HTML to text, boilerplate and spam removal, title, outlet, date and language."""
