"""Operations: several instances, metrics, logging, per-member limits."""
