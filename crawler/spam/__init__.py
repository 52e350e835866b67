"""Spam detection and removal: lexicon, text rules, DOM and CSS, cloaking (docs/spam.md)."""
