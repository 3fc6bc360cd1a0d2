"""rollout: readiness scoring and phased rollout planning for school districts."""

__version__ = "0.1.0"
