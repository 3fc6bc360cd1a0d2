"""Survey workbooks to send out, made from the rubric (`rollout template`).

Two kinds: one workbook per school (school prefilled, a sheet per role, sheets protected except
the answer cells) and one blank workbook per role (the respondent picks the school). Every
answer is chosen from an in-cell dropdown of the rubric scale. The labels and positions come
from `intake/layouts.py`, which reads these sheets back.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path

from openpyxl import Workbook
from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from rollout.domain import School
from rollout.errors import Problems
from rollout.intake.district import load_survey_schools
from rollout.intake.layouts import (
    ANSWER_HEADER,
    INSTRUCTIONS_SHEET,
    ITEM_HEADER,
    LISTS_SHEET,
    PERSON_LABEL,
    QUESTION_HEADER,
    REQUIRED_HEADER,
    ROLE_LABEL,
    SCHOOL_LABEL,
    VALUE_OFFSET,
    answer_choice,
    school_choice,
)
from rollout.intake.rubric import Rubric, default_rubric_path, load_rubric
from rollout.outputs.atomic import staged_folder
from rollout.safe import safe_text

TEMPLATE_KINDS = ("school", "role", "both")

NAVY = "1F3864"
HEADER_FILL = PatternFill("solid", fgColor=NAVY)
HEADER_FONT = Font(bold=True, color="FFFFFF")
SECTION_FILL = PatternFill("solid", fgColor="D9E1F2")
ANSWER_FILL = PatternFill("solid", fgColor="FFF2CC")
MISSING_FILL = PatternFill("solid", fgColor="F8CBAD")
WRAP = Alignment(wrap_text=True, vertical="top")
UNLOCKED = Protection(locked=False)
WIDTHS = {"A": 8, "B": 46, "C": 10, "D": 20}
LEVEL_WIDTH = 30



@dataclass
class TemplateSummary:
    school_files: int
    role_files: int
    folder: Path
    warnings: tuple[str, ...] = ()  # problems of the district's other sheets: fix before planning


def make_templates(district_dir: Path, out_dir: Path, rubric_path: Path | None = None,
                   kind: str = "both") -> TemplateSummary:
    """Write survey workbooks for the district: `schools/<id> - <name>.xlsx` (one per school)
    and/or `roles/<role>.xlsx` (one blank per role). All or nothing: written to a staging
    folder and moved into place."""
    problems = Problems()
    district_dir = Path(district_dir)
    if not district_dir.is_dir():
        problems.add(district_dir, "district folder not found")
        problems.raise_if_any()
    rubric = load_rubric(Path(rubric_path) if rubric_path else default_rubric_path(), problems)
    warnings: list[str] = []
    schools = load_survey_schools(district_dir, problems, warnings)
    problems.raise_if_any()
    written = {"schools": 0, "roles": 0}
    with staged_folder(out_dir, ["schools", "roles"]) as staging:
        if kind in ("school", "both"):
            (staging / "schools").mkdir()
            for school in schools:
                book = survey_workbook(rubric, school=school, schools=schools)
                book.save(staging / "schools" / f"{file_stem(school_choice(school))}.xlsx")
                written["schools"] += 1
        if kind in ("role", "both"):
            (staging / "roles").mkdir()
            for role in rubric.roles:
                book = survey_workbook(rubric, role=role, schools=schools)
                book.save(staging / "roles" / f"{file_stem(role)}.xlsx")
                written["roles"] += 1
    return TemplateSummary(written["schools"], written["roles"], Path(out_dir).resolve(),
                           tuple(warnings))


def file_stem(text: str) -> str:
    return re.sub(r"[^\w\s.,()&'-]", "_", text).strip()[:120]


def survey_workbook(rubric: Rubric, schools: list[School], school: School | None = None,
                    role: str | None = None) -> Workbook:
    """A school's workbook (a sheet per role, school fixed) or a role's blank workbook
    (school chosen from a dropdown of `schools`)."""
    wb = Workbook()
    instructions = wb.active
    instructions.title = INSTRUCTIONS_SHEET
    roles = [role] if role else [r for r in rubric.roles if rubric_items_for(rubric, r)]
    lists = wb.create_sheet(LISTS_SHEET)
    answers_ref, schools_ref, own_refs = fill_lists(lists, rubric, [] if school else schools)
    write_instructions(instructions, rubric, roles, school)
    for r in roles:
        ws = wb.create_sheet(sheet_title(r))
        write_role_sheet(ws, rubric, r, school, answers_ref, schools_ref, own_refs)
    wb.move_sheet(LISTS_SHEET, offset=len(wb.sheetnames))
    lists.sheet_state = "hidden"
    lists.protection.sheet = True
    wb.active = 1 if len(roles) == 1 else 0
    wb.properties.creator = "rollout"
    wb.properties.title = rubric.name
    return wb


def rubric_items_for(rubric: Rubric, role: str):
    return [(d, item) for d, item in rubric.items() if role in item.roles]


def sheet_title(role: str) -> str:
    return re.sub(r"[\[\]:*?/\\]", " ", role.replace("_", " ").title())[:31]


def fill_lists(ws, rubric: Rubric, schools: list[School]) -> tuple[str, str, dict[str, str]]:
    """The dropdowns' choices: the scale, the schools, and each local (unscored) item's own
    answers in a column of its own (#26: a local question keeps its own answers). Returns
    their ranges; the local items' by item id."""
    ws["A1"], ws["B1"] = "Answers", "Schools"
    levels = sorted(rubric.scale)
    for i, level in enumerate(levels, start=2):
        ws.cell(row=i, column=1, value=safe_text(answer_choice(rubric, level)))
    for i, s in enumerate(schools, start=2):
        ws.cell(row=i, column=2, value=safe_text(school_choice(s)))
    own = {}
    local = [item for _, item in rubric.items() if not item.scored]
    for column, item in enumerate(local, start=3):
        ws.cell(row=1, column=column, value=safe_text(item.id))
        for i, level in enumerate(sorted(item.levels), start=2):
            ws.cell(row=i, column=column, value=safe_text(own_answer_choice(item, level)))
        letter = get_column_letter(column)
        own[item.id] = f"{LISTS_SHEET}!${letter}$2:${letter}${len(item.levels) + 1}"
    return (f"{LISTS_SHEET}!$A$2:$A${len(levels) + 1}",
            f"{LISTS_SHEET}!$B$2:$B${max(2, len(schools) + 1)}", own)


def own_answer_choice(item, level: int) -> str:
    """A local item's answer as its dropdown offers it: '3 - Yes' (read back by its level)."""
    return f"{level} - {item.levels[level]}"


def write_instructions(ws, rubric: Rubric, roles: list[str], school: School | None) -> None:
    scale = "; ".join(f"{answer_choice(rubric, lv)}" for lv in sorted(rubric.scale))
    where = (f"This workbook is for {school.school_name} ({school.school_id}). It has one sheet "
             f"per role: {', '.join(sheet_title(r) for r in roles)}. Open the sheet for your "
             "role and answer only there." if school else
             f"This workbook is for the {sheet_title(roles[0]).lower()} role. First choose your "
             "school from the dropdown at the top of the survey sheet.")
    lines = [
        ("Blended-learning readiness survey", Font(bold=True, size=16, color=NAVY)),
        (rubric.name, Font(italic=True, color="595959")),
        ("", None),
        ("How to answer", Font(bold=True, size=12)),
        (f"1. {where}", None),
        ("2. For each question, click the yellow cell in the 'Your answer' column and choose a "
         "level from the dropdown list. The columns to the right describe what each level "
         "looks like; pick the one that best fits your school today.", None),
        (f"3. The levels are: {scale}.", None),
        ("4. Questions marked 'Required' must be answered; the cell stays red until it is. "
         "Leave any other question blank if you do not know.", None),
        ("5. Your name or email is optional. It is only used to keep your latest copy if you "
         "send the survey twice.", None),
        ("6. Save the file (keep it as .xlsx) and return it to the central office. Please do "
         "not rename sheets, add rows or change the school or role cells.", None),
        ("", None),
        ("Privacy", Font(bold=True, size=12)),
        ("Answers are pooled per school and per role. No one's individual answers are shown in "
         "any report.", None),
    ]
    for i, (text, font) in enumerate(lines, start=1):
        cell = ws.cell(row=i, column=1, value=safe_text(text))
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        if font:
            cell.font = font
        ws.row_dimensions[i].height = 16 * max(1, math.ceil(len(text) / 70)) if text else 15
    ws.row_dimensions[1].height = 24
    ws.column_dimensions["A"].width = 75  # fits a portrait page without scaling
    ws.protection.sheet = True
    page_setup(ws, "Readiness survey: instructions", landscape=False)


def write_role_sheet(ws, rubric: Rubric, role: str, school: School | None, answers_ref: str,
                     schools_ref: str, own_refs: dict[str, str]) -> None:
    levels = sorted(rubric.scale)
    ws.cell(row=1, column=1, value=safe_text(
        f"Readiness survey: {sheet_title(role)}")).font = Font(bold=True, size=16, color=NAVY)
    ws.row_dimensions[1].height = 24
    ws.cell(row=2, column=1, value="Choose one answer per question from the dropdown in the "
            "yellow cells. See the Instructions sheet.").font = Font(italic=True, color="595959")
    meta = [(SCHOOL_LABEL, school_choice(school) if school else None),
            (ROLE_LABEL, sheet_title(role)),
            (PERSON_LABEL, None)]
    for r, (name, value) in enumerate(meta, start=4):
        ws.cell(row=r, column=2, value=name).font = Font(bold=True)
        ws.cell(row=r, column=2 + VALUE_OFFSET, value=safe_text(value)).font = Font(bold=True)
    school_cell, person_cell = ws["D4"], ws["D6"]
    person_cell.protection, person_cell.fill = UNLOCKED, ANSWER_FILL
    ws["E6"] = "(optional; never shown in reports)"
    ws["E6"].font = Font(italic=True, color="595959")
    if school is None:
        school_cell.protection, school_cell.fill = UNLOCKED, ANSWER_FILL
        ws["E4"] = "(choose from the list)"
        ws["E4"].font = Font(italic=True, color="595959")
        pick = DataValidation(type="list", formula1=schools_ref, allow_blank=True,
                              errorStyle="warning", showErrorMessage=True,
                              error="Choose your school from the list.",
                              promptTitle="Your school", prompt="Choose your school.")
        ws.add_data_validation(pick)
        pick.add(school_cell)
    header_row = 8
    headers = [ITEM_HEADER, QUESTION_HEADER, REQUIRED_HEADER, ANSWER_HEADER] + [
        answer_choice(rubric, lv) for lv in levels]
    for j, text in enumerate(headers, start=1):
        cell = ws.cell(row=header_row, column=j, value=safe_text(text))
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    answer_dv = DataValidation(type="list", formula1=answers_ref, allow_blank=True,
                               errorStyle="stop", showErrorMessage=True, showInputMessage=True,
                               errorTitle="Not a level of the scale",
                               error=f"Choose a level {levels[0]}-{levels[-1]} from the list.",
                               promptTitle="Your answer", prompt="Choose a level from the list.")
    ws.add_data_validation(answer_dv)
    r = header_row + 1
    current = None
    required_cells = []
    for domain, item in rubric_items_for(rubric, role):
        if domain != current:
            current = domain
            section = ws.cell(row=r, column=2, value=domain.title())
            section.font = Font(bold=True, color=NAVY)
            for j in range(1, len(headers) + 1):
                ws.cell(row=r, column=j).fill = SECTION_FILL
            r += 1
        row = [item.id, item.text, "Required" if item.required else None, None] + [
            item.levels.get(lv) for lv in levels]
        for j, value in enumerate(row, start=1):
            ws.cell(row=r, column=j, value=safe_text(value)).alignment = WRAP
        ws.cell(row=r, column=1).font = Font(bold=True)
        if item.required:
            ws.cell(row=r, column=3).font = Font(bold=True, color="C00000")
            required_cells.append(f"D{r}")
        answer = ws.cell(row=r, column=4)
        answer.protection, answer.fill = UNLOCKED, ANSWER_FILL
        if item.id in own_refs:
            own_answers_dropdown(ws, item, own_refs[item.id]).add(answer)
        else:
            answer_dv.add(answer)
        longest = max(len(str(item.text)) / 0.95 / WIDTHS["B"], *(
            len(str(item.levels.get(lv, ""))) / 0.95 / LEVEL_WIDTH for lv in levels))
        ws.row_dimensions[r].height = 15 * max(1, math.ceil(longest))
        r += 1
    for ref in required_cells:
        ws.conditional_formatting.add(ref, FormulaRule(formula=[f"LEN({ref})=0"],
                                                       fill=MISSING_FILL))
    for letter, width in WIDTHS.items():
        ws.column_dimensions[letter].width = width
    for j in range(len(levels)):
        ws.column_dimensions[get_column_letter(5 + j)].width = LEVEL_WIDTH
    ws.row_dimensions[header_row].height = 30
    ws.freeze_panes = f"A{header_row + 1}"
    ws.protection.sheet = True
    ws.protection.formatColumns = False  # respondents may still widen columns and rows
    ws.protection.formatRows = False
    page_setup(ws, f"Readiness survey: {sheet_title(role)}", landscape=True,
               repeat_rows=f"{header_row}:{header_row}")


def own_answers_dropdown(ws, item, ref: str) -> DataValidation:
    """The dropdown of a local item: its own answers, not the rubric's levels."""
    choices = DataValidation(type="list", formula1=ref, allow_blank=True, errorStyle="stop",
                             showErrorMessage=True, showInputMessage=True,
                             errorTitle="Not one of the answers",
                             error="Choose one of the answers from the list.",
                             promptTitle="Your answer", prompt="Choose an answer from the list.")
    ws.add_data_validation(choices)
    return choices


def page_setup(ws, header: str, landscape: bool, repeat_rows: str | None = None) -> None:
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.oddHeader.center.text = header.replace("&", "&&")
    ws.oddFooter.center.text = "Page &P of &N"
    if repeat_rows:
        ws.print_title_rows = repeat_rows
