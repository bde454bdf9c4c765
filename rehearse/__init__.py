"""rehearse: offline voice rehearsal for behavioural interviews."""

__version__ = "0.1.0"
