"""scikit-learn's own estimator checks (sklearn.utils.estimator_checks) on both estimators. A
check they are known to fail is listed with its reason in clprop.estimators._XFAIL_CHECKS, which
reaches scikit-learn through the estimators' _more_tags()['_xfail_checks'] (< 1.6) or
expected_failed_checks (>= 1.6)."""

import inspect

from sklearn.utils.estimator_checks import parametrize_with_checks

import clprop
from clprop.estimators import expected_failed_checks

ESTIMATORS = [clprop.MLPClassifier(), clprop.MLPRegressor()]

if "expected_failed_checks" in inspect.signature(parametrize_with_checks).parameters:
    checks = parametrize_with_checks(ESTIMATORS, expected_failed_checks=expected_failed_checks)
else:
    checks = parametrize_with_checks(ESTIMATORS)


@checks
def test_passes_scikit_learn_estimator_check(estimator, check):
    check(estimator)
