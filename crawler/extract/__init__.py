"""Extraction: article HTML bytes -> fields. Plain functions, no Scrapy."""
