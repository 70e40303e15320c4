"""Writing decks: the starter deck of `jaxquiz new` and the re-audit loop of `jaxquiz check --watch`."""
