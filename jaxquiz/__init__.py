"""jaxquiz: learn JAX in the terminal, graded by running JAX."""

__version__ = "0.1.0"
