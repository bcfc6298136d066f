"""A/B tests (lesson 15): design, analysis and sequential looks, one module each.

* :mod:`.design`: effect size, sample size per arm, power, minimum detectable effect;
* :mod:`.analysis`: the two-proportion z-test, rates and means by arm, the
  sample-ratio check, multiple-testing corrections, campaign metrics;
* :mod:`.sequential`: group-sequential bounds and first crossings (peeking);
* :mod:`.variance`: CUPED, the delta method for ratio metrics, always-valid
  (mSPRT) bounds.

Every public name is re-exported here: ``from pmkt_lessons.experiments import
sample_size_per_arm``. Introduced in lesson 15.
"""

from .analysis import (
    SRMCheck,
    ZTest,
    adjust_pvalues,
    campaign_metrics,
    compare_means,
    compare_proportions,
    sample_ratio_mismatch,
    two_proportion_ztest,
)
from .common import ALTERNATIVES
from .design import cohens_h, minimum_detectable_effect, power_two_proportions, sample_size_per_arm
from .sequential import SEQUENTIAL_KINDS, first_crossing, sequential_bounds
from .variance import (
    AdjustedDifference,
    always_valid_bounds,
    compare_means_cuped,
    compare_ratios,
    cuped_adjust,
    cuped_difference,
    cuped_theta,
    ratio_and_se,
)

__all__ = [
    "ALTERNATIVES",
    "AdjustedDifference",
    "SEQUENTIAL_KINDS",
    "SRMCheck",
    "ZTest",
    "adjust_pvalues",
    "always_valid_bounds",
    "campaign_metrics",
    "cohens_h",
    "compare_means",
    "compare_means_cuped",
    "compare_proportions",
    "compare_ratios",
    "cuped_adjust",
    "cuped_difference",
    "cuped_theta",
    "first_crossing",
    "minimum_detectable_effect",
    "power_two_proportions",
    "ratio_and_se",
    "sample_ratio_mismatch",
    "sample_size_per_arm",
    "sequential_bounds",
    "two_proportion_ztest",
]
