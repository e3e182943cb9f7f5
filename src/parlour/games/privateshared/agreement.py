"""Accuracy and Cohen's kappa for the probe answers, computed as scikit-learn computes them.

scikit-learn is not a parlour dependency for two small formulas; this mirrors
`sklearn.metrics.cohen_kappa_score` (unweighted): labels are the union of both lists, the expected
confusion is the outer product of the marginals over the total, and kappa = 1 - observed
disagreement / expected disagreement.

Edge cases (as v1.6 gets them from scikit-learn):
- constant predictions against varied gold labels: expected = observed agreement, kappa = 0;
- everything correct with both labels present: kappa = 1;
- gold and predictions the same single constant: 0/0, kappa = NaN (scikit-learn warns and returns NaN).
  A complete privateshared episode never gets there: round 0's ground truth is all "no" and the last
  round's all "yes", so the gold labels always vary.
"""

from __future__ import annotations

import math
from collections.abc import Sequence


# numpy is imported at use: `parlour games` and --help load the game packages but score nothing
def accuracy(gold: Sequence[int], pred: Sequence[int]) -> float:
    import numpy as np

    return float(np.mean(np.asarray(gold) == np.asarray(pred)))


def cohen_kappa(gold: Sequence[int], pred: Sequence[int]) -> float:
    if len(gold) != len(pred) or not gold:
        raise ValueError("kappa needs two label lists of the same, non-zero length")
    import numpy as np

    labels = sorted(set(gold) | set(pred))
    index = {label: i for i, label in enumerate(labels)}
    confusion = np.zeros((len(labels), len(labels)), dtype=np.int64)
    for g, p in zip(gold, pred, strict=True):
        confusion[index[g], index[p]] += 1
    sum0 = confusion.sum(axis=0)
    sum1 = confusion.sum(axis=1)
    expected = np.outer(sum0, sum1) / np.sum(sum0)
    weights = np.ones_like(confusion) - np.eye(len(labels), dtype=np.int64)
    expected_disagreement = float(np.sum(weights * expected))
    if expected_disagreement == 0:
        return math.nan
    return 1 - float(np.sum(weights * confusion)) / expected_disagreement
