"""What-if answers before the plan is published, in the order the data flows: scenario files
that patch settings or capacity (`scenarios`), solve jobs in worker processes (`jobs`), what a
plan looks like (`summary`), the limits that bind the base plan (`limits`), and the two
commands: `compare` (base plan, scenarios and limits side by side) and `sweep` (need versus
readiness). Every plan is solved through planning and re-checked by the checker; the
workbooks are written by outputs/scenarios_workbook and outputs/sweep_workbook."""
