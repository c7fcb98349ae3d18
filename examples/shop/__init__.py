"""A small shop back-end, left undocumented on purpose: docgen's demo input."""
