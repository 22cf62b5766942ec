"""Thin spiders, one per source kind; every source-specific detail comes from sources.toml."""
