"""Outputs: plan.csv, the dashboard workbook and one workbook per principal."""
