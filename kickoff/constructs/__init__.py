"""One construct per concern. Constructs build resources and expose them as typed
attributes; stacks compose them and do the wiring (grants, outputs, tags, checks)."""
