"""Emporix Commerce Engine: the provider (OAuth, products with templates and variants, categories,
prices, media, coupons)."""
