"""From answers to scores: each school's infrastructure, technology and instructional scores,
readiness and need, pooled from its respondents and blended with measured indicators
(`scores.py`); `inputs.py` loads a whole district folder through intake and scores it, the
one starting point for planning, checking and the what-ifs."""
