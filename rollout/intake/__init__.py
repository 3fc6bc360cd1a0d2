"""Reading what the district gives: settings.yaml, the rubric, district.xlsx and the survey
files, each checked as it is read. Every problem is collected with its file, sheet, row and
column (errors.Problems) and reported at once. Reading never imports scoring, planning, the
outputs or the pipeline; `layouts.py` holds the positions of our own survey templates so that
the writer (outputs/survey_templates.py) and the reader agree."""
