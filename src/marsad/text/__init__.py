"""The text layer: normalisation with offsets, tokens, sentences, page boilerplate."""
from .normalize import Normalized, norm, norm_set, normalize

__all__ = ["Normalized", "norm", "norm_set", "normalize"]
