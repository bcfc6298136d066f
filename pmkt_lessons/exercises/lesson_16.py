"""Exercises of lesson 16 (uplift modelling).

The checkers compare with small worked examples or with figures of the bundled
Hillstrom file (its sha256 is fixed); the reference solutions recompute them
with the package, so the test suite proves the two agree. Introduced in lesson 16.
"""

from __future__ import annotations

import numpy as np

from ..data import load_hillstrom
from ..uplift import policy_value, uplift_curve
from . import Exercise, close_enough

# --- 16.1: name the four kinds of customers --------------------------------------------

# (response if e-mailed, response if not e-mailed) of four customers
POTENTIAL_OUTCOMES = {"Ann": (1, 1), "Ben": (1, 0), "Cat": (0, 1), "Dan": (0, 0)}
TYPES = {"Ann": "sure thing", "Ben": "persuadable", "Cat": "sleeping dog", "Dan": "lost cause"}


def _normalise(label) -> str:
    return str(label).strip().lower().replace("-", " ").rstrip("s")


def _check_types(answer):
    if not isinstance(answer, dict):
        return f"expected a dict such as {{'Ann': 'sure thing', ...}}, got {type(answer).__name__}"
    missing = sorted(set(TYPES) - set(answer))
    if missing:
        return f"name the type of every customer; missing {missing}"
    wrong = sorted(name for name in TYPES if _normalise(answer[name]) != TYPES[name])
    if not wrong:
        return None
    if _normalise(answer["Ben"]) == "sleeping dog" and _normalise(answer["Cat"]) == "persuadable":
        return (
            "persuadable and sleeping dog are swapped: the first number is the response *with* "
            "the e-mail."
        )
    return f"not right for {wrong}: compare the response with the e-mail to the one without."


ex1 = Exercise(
    name="16.1 four kinds of customers",
    question=(
        "Four customers' responses (if e-mailed, if not e-mailed): Ann (1, 1), Ben (1, 0), "
        "Cat (0, 1), Dan (0, 0). Give a dict naming each one's type: 'sure thing', "
        "'persuadable', 'lost cause' or 'sleeping dog'."
    ),
    checker=_check_types,
    hint_text=(
        "Uplift = response if e-mailed - response if not. +1: the e-mail made them respond; "
        "-1: it put them off; 0: it changed nothing (respond either way, or never)."
    ),
    solution_code=(
        "answer = {'Ann': 'sure thing', 'Ben': 'persuadable', "
        "'Cat': 'sleeping dog', 'Dan': 'lost cause'}"
    ),
    reference=lambda: dict(TYPES),
    wrong_answers=lambda: [
        {"Ann": "sure thing", "Ben": "sleeping dog", "Cat": "persuadable", "Dan": "lost cause"},
        {"Ann": "persuadable", "Ben": "persuadable", "Cat": "lost cause", "Dan": "lost cause"},
        {"Ann": "sure thing"},
        ["sure thing", "persuadable", "sleeping dog", "lost cause"],
    ],
)

# --- 16.2: a Qini value by hand -------------------------------------------------------

TOY_Y = np.array([1, 1, 1, 0, 0, 0, 1, 0, 0, 1])
TOY_T = np.array([1, 1, 0, 1, 0, 0, 1, 1, 0, 1])
TOY_SCORE = np.array([0.95, 0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1])
# top 5: treated 3 (2 responded), control 2 (1 responded): 2 - 1 * 3 / 2
TOY_QINI_TOP5 = 0.5


def _check_toy_qini(answer):
    try:
        value = float(answer)
    except (TypeError, ValueError):
        return f"expected a number (extra responses), got {type(answer).__name__}"
    if abs(value - 1.0) < 1e-9:
        return "that is treated responders minus control responders; scale the control's by n_t / n_c."
    if abs(value - 5 * (2 / 3 - 1 / 2)) < 1e-6:
        return "that is the uplift times k (the 'incremental' column); the Qini value counts the treated only."
    if abs(value - (2 / 3 - 1 / 2)) < 1e-6:
        return "that is the uplift (a rate difference); the Qini value is a number of extra responses."
    return close_enough(value, TOY_QINI_TOP5, "the Qini value at the top 5", rel=1e-6)


ex2 = Exercise(
    name="16.2 Qini by hand",
    question=(
        f"Ten customers, ranked by score {TOY_SCORE.tolist()}, were treated "
        f"{TOY_T.tolist()} and responded {TOY_Y.tolist()}. What is the Qini value of targeting "
        "the top 5: r_t - r_c * n_t / n_c?"
    ),
    checker=_check_toy_qini,
    hint_text=(
        "Among the top 5 count the treated (n_t) and their responders (r_t), the control "
        "(n_c) and theirs (r_c). Or uplift_curve(y, t, score) and read the 'qini' column."
    ),
    solution_code=(
        "curve = uplift_curve(y, t, score)\n"
        "answer = curve.loc[curve['n_targeted'] == 5, 'qini'].item()  # 2 - 1 * 3 / 2 = 0.5"
    ),
    reference=lambda: float(
        uplift_curve(TOY_Y, TOY_T, TOY_SCORE).set_index("n_targeted").loc[5, "qini"]
    ),
    wrong_answers=lambda: [1.0, 5 * (2 / 3 - 1 / 2), 2 / 3 - 1 / 2, -0.5],
)

# --- 16.3: value of a simple rule on Hillstrom -------------------------------------------

# Mens E-Mail vs No E-Mail: visit rate if only past buyers of men's merchandise get the e-mail
MENS_RULE_VALUE = 0.151189
TREATED_MENS_RATE = 0.196098
EVERYONE, NO_ONE = 3_894 / 21_307, 2_262 / 21_306


def _mens_rule_reference() -> float:
    df = load_hillstrom()
    df = df[df["segment"].isin(["Mens E-Mail", "No E-Mail"])]
    treatment = (df["segment"] == "Mens E-Mail").to_numpy()
    return policy_value(df["visit"], treatment, df["mens"].to_numpy() == 1)


def _check_mens_rule(answer):
    try:
        value = float(answer)
    except (TypeError, ValueError):
        return f"expected a visit rate (a number), got {type(answer).__name__}"
    if value > 1:
        return "give the rate as a fraction between 0 and 1."
    if abs(value - TREATED_MENS_RATE) < 1e-4:
        return (
            "that is the visit rate of the e-mailed men's buyers only; the policy's value counts "
            "every customer, including those it leaves out (they visit at the control's rate)."
        )
    if abs(value - EVERYONE) < 1e-4:
        return "that is the value of e-mailing everyone."
    if abs(value - NO_ONE) < 1e-4:
        return "that is the value of e-mailing no one."
    return close_enough(value, MENS_RULE_VALUE, "the policy's visit rate", rel=1e-4)


ex3 = Exercise(
    name="16.3 value of a simple rule",
    question=(
        "On the Mens E-Mail and No E-Mail customers of Hillstrom (all 42,613), estimate the "
        "visit rate if only the customers who bought men's merchandise last year (mens == 1) "
        "got the Mens E-Mail. Is the rule better than e-mailing everyone?"
    ),
    checker=_check_mens_rule,
    hint_text=(
        "policy_value(y, treatment, target) with target = (mens == 1): the customers whose "
        "random arm agrees with the rule stand for everyone the rule would treat that way."
    ),
    solution_code=(
        "pair = hillstrom[hillstrom['segment'].isin(['Mens E-Mail', 'No E-Mail'])]\n"
        "treated = (pair['segment'] == 'Mens E-Mail').to_numpy()\n"
        "answer = policy_value(pair['visit'], treated, pair['mens'].to_numpy() == 1)  # about 0.151\n"
        "# worse than e-mailing everyone (0.183): the e-mail raises visits of the others too"
    ),
    reference=_mens_rule_reference,
    wrong_answers=lambda: [TREATED_MENS_RATE, EVERYONE, NO_ONE, 15.1],
)

# --- 16.4: break-even uplift -------------------------------------------------------------


def _check_break_even(answer):
    try:
        value = float(answer)
    except (TypeError, ValueError):
        return f"expected an uplift (a number), got {type(answer).__name__}"
    if abs(value - 2.0 / 0.15) < 1e-6:
        return "that is value / cost; the break-even uplift is cost / value."
    if abs(value - 0.15) < 1e-9:
        return "that is the cost of an e-mail, not the uplift at which it pays for itself."
    if abs(value - 7.5) < 1e-6:
        return "give the uplift as a fraction (0.01 = one point of visit rate), not in points."
    return close_enough(value, 0.15 / 2.0, "the break-even uplift", rel=1e-6)


ex4 = Exercise(
    name="16.4 break-even uplift",
    question=(
        "An extra visit is worth $2 of profit and an e-mail costs $0.15. Above which predicted "
        "uplift (extra visit probability) is an e-mail worth sending?"
    ),
    checker=_check_break_even,
    hint_text="An e-mail pays when uplift * value > cost. Solve for the uplift.",
    solution_code="answer = 0.15 / 2.0  # 0.075: e-mail only customers the model gives +7.5 points or more",
    reference=lambda: 0.15 / 2.0,
    wrong_answers=lambda: [2.0 / 0.15, 0.15, 7.5, 0.05],
)

EXERCISES = [ex1, ex2, ex3, ex4]
