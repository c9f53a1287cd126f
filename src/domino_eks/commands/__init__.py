"""One module per group of commands; each builds a result and hands it to a renderer."""
