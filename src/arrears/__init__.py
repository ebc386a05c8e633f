"""Arrears — a post-loan collection system (贷后催收管理系统)."""

__version__ = "0.1.0"
