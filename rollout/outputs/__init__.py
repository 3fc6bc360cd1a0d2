"""Everything people read: the view models computed once from a plan (`results.py`: one row per
school and the usage; `dashboard_view.py`, `principal_view.py` for each reader), and the
writers: plan.csv and the other CSV files, dashboard.xlsx, one workbook per principal, the
what-if workbooks and the survey templates to send out. Text from inputs goes through
rollout.safe; files are written all or nothing (`atomic.py`)."""
