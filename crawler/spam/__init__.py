"""Spam removal: everything that finds and removes black-hat SEO injections (docs/spam.md)."""
