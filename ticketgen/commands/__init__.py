"""Click commands, one module per stage; each only parses options and calls its stage."""
