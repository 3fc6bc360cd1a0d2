"""The rollout plan: facts -> CP-SAT model -> plan records."""
