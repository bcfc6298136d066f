"""Lessons 00-03's exercises beyond the generic checks: the by-hand methods they accept, the
written solutions of the function exercises, and references that agree with the package."""

import numpy as np
import pandas as pd
import pytest

from pmkt_lessons import behaviour as B
from pmkt_lessons import columns as C
from pmkt_lessons import features as F
from pmkt_lessons.course import course_map
from pmkt_lessons.device import seed_everything
from pmkt_lessons.exercises import _online_retail as retail
from pmkt_lessons.exercises import lesson_00, lesson_01, lesson_02, lesson_03


def _net_product_totals():
    result = retail.result()
    gross = result.clean.groupby(C.STOCK_CODE)[C.REVENUE].sum()
    back = result.cancellations.groupby(C.STOCK_CODE)[C.REVENUE].sum().reindex(gross.index, fill_value=0)
    return (gross + back).clip(lower=0).sort_values(ascending=False)


def test_02_2_accepts_the_by_hand_bracketing_of_section_4():
    totals = _net_product_totals()
    n = len(totals)
    assert 0.01 * n == pytest.approx(36.65)
    top36, top37 = totals.iloc[:36].sum() / totals.sum(), totals.iloc[:37].sum() / totals.sum()
    assert top36 == pytest.approx(lesson_02.TOP36_PRODUCTS_NET) and top37 == pytest.approx(lesson_02.TOP37_PRODUCTS_NET)
    for by_hand in (top36, top37, round(top36, 4), round(top37, 4)):
        assert lesson_02.ex2.evaluate(by_hand).correct, by_hand
    # the gross brackets are a different (wrong) method and get their own message
    for gross in (lesson_02.TOP36_PRODUCTS_GROSS, lesson_02.TOP37_PRODUCTS_GROSS, 0.1952):
        assert "gross" in lesson_02.ex2.evaluate(gross).message
    # the tolerance is not so wide that the neighbouring fractions pass
    assert not lesson_02.ex2.evaluate(totals.iloc[:35].sum() / totals.sum()).correct
    assert not lesson_02.ex2.evaluate(totals.iloc[:39].sum() / totals.sum()).correct


def test_00_3_reference_is_the_draw_after_seed_everything():
    seed_everything(7)
    draw = float(np.random.rand())  # noqa: NPY002 - the exercise is about the global generator
    seed_everything(42)
    assert draw == lesson_00._first_draw(7)
    assert lesson_00.ex3.evaluate(float(f"{draw:.3g}")).correct


NAMESPACE = {"np": np, "pd": pd, "course_map": course_map}


@pytest.mark.parametrize("exercise", [lesson_00.ex2, lesson_01.ex4, lesson_02.ex4, lesson_03.ex4],
                         ids=lambda ex: ex.name)
def test_written_solution_of_each_function_exercise_passes(exercise):
    assert exercise.kind == "function"
    scope = dict(NAMESPACE)
    exec(exercise.solution_code, scope)  # noqa: S102 - our own solution text
    feedback = exercise.evaluate(scope["answer"])
    assert feedback.correct, feedback.message
    assert "#" in exercise.solution_code, "a solution says why"


def test_03_4_reference_agrees_with_rfm_table():
    result = retail.result()
    rfm = F.rfm_table(result.clean, result.cancellations)
    snapshot = F.default_snapshot(result.clean)
    for customer in (12346, 12347, 12748, 18287):
        dates = result.clean.loc[result.clean[C.CUSTOMER_ID] == customer, C.INVOICE_DATE]
        assert lesson_03._recency_reference(dates, snapshot) == rfm.loc[customer, F.RECENCY]


def test_02_4_reference_is_top_share_on_a_frame_of_customers():
    revenues = [50.0, 30.0, 15.0, 5.0]
    assert lesson_02._share_of_top_reference(revenues, 0.25) == pytest.approx(0.5)
    assert lesson_02._share_of_top_reference(revenues, 0.125) == pytest.approx(0.25)
    frame = pd.DataFrame({C.CUSTOMER_ID: [1, 2, 3, 4], C.REVENUE: revenues})
    assert lesson_02._share_of_top_reference(revenues, 0.6) == B.top_share(frame, C.CUSTOMER_ID, 0.6)


def test_00_2_cases_cover_the_whole_course_and_single_lessons():
    cases = lesson_00._part_cases(np.random.default_rng(0))
    n = len(course_map())
    assert (0, n - 1) in cases and any(a == b for a, b in cases)
    assert all(0 <= a <= b < n for a, b in cases)
    assert lesson_00._part_minutes_reference(0, n - 1) == lesson_00.TOTAL_MINUTES
