"""What-if answers before the plan is published: scenario files that change settings or
capacity, the need-versus-readiness sweep, and the limits that bind the base plan, each
solved through planning, re-checked by the checker and written by outputs/scenarios_workbook."""
