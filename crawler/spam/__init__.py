"""Spam detection and removal: lexicon, register classifier, text units, DOM and CSS, cloaking (docs/spam.md)."""
