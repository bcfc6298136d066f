"""Click-through-rate prediction: encoding, metrics, logistic regression and deep CTR models.

Modules: ``encoding`` (one-hot field indices with an "unknown" bucket, the
hashing trick), ``metrics`` (log loss, normalised entropy, calibration,
the Bayes ceiling), ``logistic`` (logistic regression in torch), ``models``
(FM, Wide&Deep, DeepFM) and ``train`` (the one trainer they share).
Introduced in lessons 11 and 12.
"""
