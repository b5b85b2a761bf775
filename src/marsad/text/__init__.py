"""The text layer: normalisation with offsets, tokens, sentences, page boilerplate."""
from .normalize import Normalized, norm, normalize

__all__ = ["Normalized", "norm", "normalize"]
