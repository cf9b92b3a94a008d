"""oncobot: a multilingual assistant for people abroad who look to France for cancer care."""

__version__ = "0.1.0"
