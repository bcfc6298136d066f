"""Exercises of lesson 14 (bidding and budgets): pricing units, auctions, truthful bids.

Worked examples with numbers small enough to check by hand; the reference
solutions compute them with the package. Introduced in lesson 14.
"""

from __future__ import annotations

from functools import partial

from ..ads import convert_price, value_per_impression
from ..auctions import second_price_auction
from . import Exercise, number_checker

CPM, CTR = 4.0, 0.005
AUCTION_BIDS = (2.0, 3.5, 1.2, 3.1)
P_CTR, P_CVR, VALUE = 0.02, 0.05, 40.0


_number_checker = partial(number_checker, rel=1e-4, trap_tol=1e-6)


ex1 = Exercise(
    name="14.1 CPM to CPC",
    question=(
        f"A publisher sells impressions at a CPM of {CPM:g} euros and your ad's click rate is "
        f"{CTR:.1%}. What does one click cost you (the equivalent CPC, in euros)?"
    ),
    checker=_number_checker(
        4.0 / (1000 * 0.005),
        "the cost per click",
        {
            CPM * CTR: "that multiplies CPM by the click rate; a click costs the price of "
            "the impressions it takes, 1 / CTR of them.",
            CPM / CTR: "you forgot that a CPM is the price of 1,000 impressions.",
            CPM / 1000: "that is the cost of one impression, not of one click.",
        },
    ),
    hint_text="One impression costs CPM / 1000; a click takes 1 / CTR impressions on average.",
    solution_code='answer = convert_price(4.0, "CPM", "CPC", ctr=0.005)  # 4 / (1000 * 0.005) = 0.8',
    reference=lambda: convert_price(CPM, "CPM", "CPC", ctr=CTR),
    wrong_answers=lambda: [CPM * CTR, CPM / CTR, CPM / 1000, "0.8 euros"],
)


ex2 = Exercise(
    name="14.2 second-price auction",
    question=(
        f"Four bidders bid the CPMs {list(AUCTION_BIDS)} in a second-price auction without a "
        "reserve. What CPM does the winner pay?"
    ),
    checker=_number_checker(
        3.1,
        "the price",
        {
            3.5: "that is the winner's own bid: the first-price rule. In a second-price auction "
            "the winner pays the highest bid of the others.",
            2.0: "that is the second bid in the list, not the second-highest bid.",
            1.2: "that is the lowest bid.",
        },
    ),
    hint_text="Sort the bids: the highest wins, the next one sets the price.",
    solution_code=(
        "answer = second_price_auction([[2.0, 3.5, 1.2, 3.1]])['price'].iloc[0]  # 3.1"
    ),
    reference=lambda: float(second_price_auction([list(AUCTION_BIDS)])["price"].iloc[0]),
    wrong_answers=lambda: [3.5, 2.0, 1.2],
)


ex3 = Exercise(
    name="14.3 truthful CPM bid",
    question=(
        f"Your model predicts a click rate of {P_CTR:.0%} for an impression, a click converts "
        f"with probability {P_CVR:.0%}, and a conversion is worth {VALUE:g} euros. What CPM "
        "should you bid in a second-price auction (euros per 1,000 impressions)?"
    ),
    checker=_number_checker(
        1000 * P_CTR * P_CVR * VALUE,
        "the CPM bid",
        {
            P_CTR * P_CVR * VALUE: "that is the value of one impression; a CPM is per 1,000.",
            P_CVR * VALUE: "that is the value of a click (a CPC bid), not of an impression.",
            1000 * P_CTR * VALUE: "you left out the conversion rate.",
        },
    ),
    hint_text="Value of an impression = pCTR x pCVR x value per conversion; bid it truthfully, "
    "times 1,000 for a CPM.",
    solution_code="answer = 1000 * value_per_impression(0.02, 0.05, 40.0)  # 40 euros CPM",
    reference=lambda: 1000 * value_per_impression(P_CTR, P_CVR, VALUE),
    wrong_answers=lambda: [P_CTR * P_CVR * VALUE, P_CVR * VALUE, 1000 * P_CTR * VALUE, 30.0],
)

EXERCISES = [ex1, ex2, ex3]
