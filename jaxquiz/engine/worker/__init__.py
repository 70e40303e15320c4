"""The worker process: the only code that imports jax. Started by `jaxquiz.engine.process`."""
