"""Exercises of lesson 14 (bidding and budgets): eCPM ranking, truthful bids, second-price auctions.

Worked cases the lesson did not show, small enough to check by hand; the
reference solutions compute them with the package. Introduced in lesson 14.
"""

from __future__ import annotations

from ..ads import ecpm, value_per_impression
from ..auctions import second_price_auction
from . import Exercise, function_checker, number_checker, quiz_question

# --- 14.1: which ad wins the slot, and what does it earn? -----------------------------------

SLOT_ADS = {
    "X": ("CPM", 3.9, None, None),
    "Y": ("CPC", 0.42, 0.010, None),
    "Z": ("CPA", 16.0, 0.012, 0.025),
}


def _slot_ecpms() -> dict[str, float]:
    return {name: float(ecpm(price, unit, ctr=ctr, cvr=cvr)) for name, (unit, price, ctr, cvr) in SLOT_ADS.items()}


WINNER_ECPM = max(_slot_ecpms().values())  # Z: 1000 x 16 x 0.012 x 0.025 = 4.8

ex1 = Exercise(
    name="14.1 the winner's eCPM",
    question=(
        "Three ads compete for one slot. X bids a CPM of 3.90 euros; Y bids 0.42 euros per click "
        "and its predicted click rate is 1.0 %; Z bids 16 euros per conversion, with a predicted "
        "click rate of 1.2 % and 2.5 % of clicks converting. The network shows the ad with the "
        "highest eCPM. What eCPM (euros per 1,000 impressions) does the winner earn it? "
        "(answer: a float)"
    ),
    checker=number_checker(
        WINNER_ECPM,
        "the winner's eCPM",
        {
            16.0: "that is the largest bid in euros; bids in different units are compared per impression (eCPM).",
            _slot_ecpms()["Y"]: "that is Y's eCPM; compute Z's too, with both its click and conversion rates.",
            WINNER_ECPM / 1000: "that is the earning per impression; an eCPM is per 1,000 impressions.",
            1000 * 16.0 * 0.012: "you left out Z's conversion rate: a CPA bid is paid only per conversion.",
        },
    ),
    hint_text=(
        "Turn every bid into what it earns per impression, whatever its unit; the expected clicks "
        "and conversions per impression do that."
    ),
    hint_code="ecpm(price, unit, ctr=..., cvr=...) from pmkt_lessons.ads, as in the ranking table of section 1.",
    solution_code=(
        "# a CPA bid earns only when a shown ad is clicked and the click converts\n"
        "scores = {'X': ecpm(3.9, 'CPM'), 'Y': ecpm(0.42, 'CPC', ctr=0.010),\n"
        "          'Z': ecpm(16.0, 'CPA', ctr=0.012, cvr=0.025)}\n"
        "answer = max(scores.values())  # Z: 1000 x 16 x 0.012 x 0.025"
    ),
    reference=lambda: max(_slot_ecpms().values()),
    wrong_answers=lambda: [16.0, _slot_ecpms()["Y"], WINNER_ECPM / 1000, 1000 * 16.0 * 0.012, "4.8"],
)

# --- 14.2: write ecpm ---------------------------------------------------------------------


def _ecpm_reference(price, unit, ctr, cvr):
    return float(ecpm(price, unit, ctr=ctr, cvr=cvr))


def _ecpm_cases(rng):
    cases = [(4.0, "CPM", 0.01, None), (0.5, "CPC", 0.012, None), (6.0, "CPA", 0.02, 0.05)]
    for _ in range(6):
        unit = str(rng.choice(["CPM", "CPC", "CPA"]))
        cases.append((round(float(rng.uniform(0.1, 20)), 2), unit, round(float(rng.uniform(0.001, 0.05)), 4),
                      round(float(rng.uniform(0.01, 0.2)), 3) if unit == "CPA" else None))
    return cases


ex2 = Exercise(
    name="14.2 write ecpm",
    question=(
        "Write a function `ecpm(price, unit, ctr, cvr)` that returns the effective CPM of a bid: "
        "`unit` is 'CPM', 'CPC' or 'CPA', `ctr` the predicted click rate, `cvr` the predicted "
        "conversions per click (None unless the unit is 'CPA'). (answer: the function)"
    ),
    checker=function_checker(_ecpm_reference, _ecpm_cases, "ecpm(price, unit, ctr, cvr)"),
    hint_text="A CPM bid already is per 1,000 impressions; the other two need the expected events per impression.",
    hint_code="Section 1: cost per impression = CPM / 1000 = CPC x CTR = CPA x CTR x CVR; multiply by 1,000.",
    solution_code=(
        "def ecpm(price, unit, ctr, cvr):\n"
        "    # what the bid earns per impression, times 1,000: the unit only decides which events it pays for\n"
        "    if unit == 'CPM':\n"
        "        return price\n"
        "    if unit == 'CPC':\n"
        "        return 1000 * price * ctr\n"
        "    return 1000 * price * ctr * cvr\n"
        "answer = ecpm"
    ),
    reference=lambda: _ecpm_reference,
    wrong_answers=lambda: [
        lambda price, unit, ctr, cvr: price * ctr * (cvr or 1),           # forgot the 1,000 and CPM
        lambda price, unit, ctr, cvr: 1000 * price * ctr * (cvr or 1),     # treats CPM like CPC
        lambda price, unit, ctr, cvr: price if unit == "CPM" else price * ctr * 1000,  # CPA without cvr
        4.8,
    ],
    kind="function",
)

# --- 14.3: a truthful bid -----------------------------------------------------------------

P_CTR, P_CVR, VALUE = 0.03, 0.04, 25.0
TRUTHFUL_CPM = round(1000 * P_CTR * P_CVR * VALUE, 9)  # 30 euros

ex3 = Exercise(
    name="14.3 truthful CPM bid",
    question=(
        f"Your model predicts a click rate of {P_CTR:.0%} for an impression, a click converts with "
        f"probability {P_CVR:.0%}, and a conversion is worth {VALUE:g} euros of margin. What CPM "
        "should you bid in a second-price auction (euros per 1,000 impressions)? (answer: a float)"
    ),
    checker=number_checker(
        TRUTHFUL_CPM,
        "the CPM bid",
        {
            P_CTR * P_CVR * VALUE: "that is the value of one impression; a CPM is per 1,000.",
            P_CVR * VALUE: "that is the value of a click (a CPC bid), not of an impression.",
            1000 * P_CTR * VALUE: "you left out the conversion rate.",
            0.7 * TRUTHFUL_CPM: "that is a shaded bid; in a second-price auction shading only loses auctions that pay.",
        },
    ),
    hint_text="In a second-price auction the best bid is the impression's value to you, no more, no less.",
    hint_code="value_per_impression(p_ctr, p_cvr, value_per_conversion) of section 3 gives euros per impression.",
    solution_code=(
        "# truthful bidding is dominant in a second-price auction: bid the value, per 1,000 impressions\n"
        "answer = 1000 * value_per_impression(0.03, 0.04, 25.0)"
    ),
    reference=lambda: 1000 * value_per_impression(P_CTR, P_CVR, VALUE),
    wrong_answers=lambda: [P_CTR * P_CVR * VALUE, P_CVR * VALUE, 1000 * P_CTR * VALUE, 21.0, "30"],
)

# --- 14.4: a reserve price ------------------------------------------------------------------

RESERVE_BIDS = (1.8, 2.6, 2.2, 0.9)
RESERVE = 2.4

ex4 = Exercise(
    name="14.4 second price with a reserve",
    question=(
        f"Four bidders bid the CPMs {list(RESERVE_BIDS)} in a second-price auction whose reserve "
        f"price is {RESERVE} euros. What CPM does the winner pay? (answer: a float)"
    ),
    checker=number_checker(
        float(max(sorted(RESERVE_BIDS)[-2], RESERVE)),
        "the price",
        {
            2.6: "that is the winner's own bid: the first-price rule.",
            2.2: "that is the second-highest bid, but the seller will not sell below the reserve.",
            1.8: "that is the first bid in the list, not the second-highest.",
        },
    ),
    hint_text="The winner pays the least it could have bid and still won: beat every other bid, and meet the seller's floor.",
    hint_code="second_price_auction(bids, reserve=...) of section 4 runs it; its example has a reserve too.",
    solution_code=(
        "# the price is the larger of the second-highest bid and the reserve\n"
        "answer = second_price_auction([[1.8, 2.6, 2.2, 0.9]], reserve=2.4)['price'].iloc[0]"
    ),
    reference=lambda: float(second_price_auction([list(RESERVE_BIDS)], reserve=RESERVE)["price"].iloc[0]),
    wrong_answers=lambda: [2.6, 2.2, 1.8, "2.4"],
)

EXERCISES = [ex1, ex2, ex3, ex4]


QUIZ = [
    quiz_question(
        "14.q1 why bid the value",
        "Why is bidding exactly your value the best strategy in a second-price auction, but not in a first-price one?",
        {
            "a": "Because second-price auctions have a reserve price and first-price ones do not.",
            "b": "In second price your bid decides only whether you win, not what you pay; in first price you pay your own bid, so a truthful winner earns nothing.",
            "c": "Because competitors in second-price auctions bid truthfully too.",
            "d": "It is the best strategy in both: shading never pays.",
        },
        correct="b",
        explanation=(
            "With the price set by the others, raising your bid above your value only adds auctions "
            "you pay more for than they are worth, and lowering it only drops auctions that would have "
            "paid. In first price the bid is the price, so the winner must shade to keep any surplus "
            "(section 4's curve peaks at 0.7 there)."
        ),
        traps={"c": "Truthful bidding is dominant whatever the others do: no assumption on them is needed."},
    ),
    quiz_question(
        "14.q2 a biased click model",
        "Your click model predicts 20 % more clicks than happen, on every impression. What does a truthful bidder do?",
        {
            "a": "Nothing changes: truthful bidding is optimal whatever the values.",
            "b": "It overbids on every impression and wins auctions that cost more than they bring; the fix is to recalibrate the model, not to shade by habit.",
            "c": "It underbids and wins too few auctions.",
            "d": "It bids the same, because the AUC does not change with a constant factor.",
        },
        correct="b",
        explanation=(
            "The theorem holds for the values you feed it; the money depends on the true values. A "
            "ranking metric (AUC) is blind to a constant bias, but every bid is a probability times "
            "euros, so calibration is a pricing question (lesson 13)."
        ),
        traps={"d": "The AUC is unchanged, but the bids are 20 % too high: prices need calibrated probabilities."},
    ),
    quiz_question(
        "14.q3 greedy spending",
        "Why did spending the budget as fast as possible buy fewer clicks than a bid multiplier?",
        {
            "a": "Greedy bidding overspends the budget.",
            "b": "It spends in the early, dear hours on every auction it can win, including the marginal ones, and is out of money for the cheaper rest of the day.",
            "c": "Greedy bidding cannot win auctions in the evening.",
            "d": "Because the multiplier bids more than the value.",
        },
        correct="b",
        explanation=(
            "With a budget, the best rule bids m x value with one m for the day: it drops the "
            "impressions whose value barely covers their price and keeps the good ones all day. None "
            "of the strategies can overspend (the replay stops at the first unaffordable win)."
        ),
    ),
    quiz_question(
        "14.q4 judging on one day",
        "Why are the pacing strategies compared on expected margin rather than on the day's realised POAS?",
        {
            "a": "Because POAS is not defined for a budget.",
            "b": "With about a hundred conversions a day, realised margin carries luck of about 10 %; the simulation knows each impression's click probability, so the expected value removes it.",
            "c": "Because expected values are always larger.",
            "d": "It makes no difference which one is used.",
        },
        correct="b",
        explanation=(
            "A count of about 100 has a standard deviation of about 10. Differences between strategies "
            "of that size are noise in one day; expected values (or many days, or an interval) are "
            "needed before naming a winner."
        ),
    ),
]
