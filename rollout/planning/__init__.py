"""From scores to a plan: the facts the rules need (`facts.py`), one function per hard rule
(`constraints.py`) and per soft rule (`objectives.py`), the CP-SAT model (`model.py`), the search
that solves it (`solve.py`), the polish of a plan not proven best (`polish.py`) and the greedy
baseline (`greedy.py`). The planner reports an impossible plan (errors.NoPlanPossible); saying
which limits conflict is `explain.py`'s work. It may ask the independent checker whether a
plan is valid, never the other way round."""
