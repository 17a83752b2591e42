"""Audio level measures for meters: RMS and dBFS of int16 or float chunks."""

from __future__ import annotations

import math

import numpy as np

SILENCE_DBFS = -120.0


def rms(samples: np.ndarray) -> float:
    """Root mean square on a 0..1 scale (int16 full scale = 1.0)."""
    if samples.size == 0:
        return 0.0
    data = samples.astype(np.float64)
    if np.issubdtype(samples.dtype, np.integer):
        data /= 32768.0
    return float(math.sqrt(float(np.mean(data * data))))


def dbfs(samples: np.ndarray) -> float:
    """Level in decibels relative to full scale; SILENCE_DBFS for digital silence."""
    value = rms(samples)
    if value <= 0.0:
        return SILENCE_DBFS
    return max(SILENCE_DBFS, 20.0 * math.log10(value))


def meter_fraction(samples: np.ndarray, floor_db: float = -60.0) -> float:
    """0..1 for a bar meter: floor_db maps to 0, 0 dBFS to 1."""
    level = dbfs(samples)
    return min(1.0, max(0.0, (level - floor_db) / -floor_db))
