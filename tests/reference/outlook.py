"""Reference figures for the renewal outlook's maths (`domain/src/outlook/reference.rs`).

The Rust tests in `domain/src/outlook/reference.rs` hold a small fixture literally and assert
that Tandem's logistic regression, AUC, Brier score and calibration bins give the figures
scikit-learn gives on it. This script builds that fixture and prints those figures as Rust
literals, ready to paste.

Regenerate (the figures in the tests came from scikit-learn 1.9.1, NumPy 2.4.6, SciPy 1.17.1):

    python3 -m venv /tmp/venv-outlook
    /tmp/venv-outlook/bin/pip install scikit-learn numpy
    /tmp/venv-outlook/bin/python tests/reference/outlook.py

How the fixture is made, and why it is made so:

- The rows come from a fixed linear congruential generator written out below, not from NumPy's
  random generators, so the same rows come out whatever the library versions. Values are rounded
  (one decimal or whole numbers) so that the fixture reads as typed numbers.
- Column 3 is constant: the model must carry it without dividing by zero.
- Labels are drawn from a logistic curve with noise, so the two classes overlap (no perfect
  separation) and both occur.
- scikit-learn is given the *standardised* matrix, standardised the way Tandem does it: the
  training set's mean and population standard deviation (ddof = 0), and a constant column (all
  values equal) mapped to 0. Coefficients are therefore on the standardised scale, which is what
  `Model::coefficients` holds.
- scikit-learn's objective for `LogisticRegression(C=C)` with the default `l1_ratio=0` (an L2
  penalty; the `penalty` argument is deprecated since 1.8) and `fit_intercept=True` is

      0.5 * ||w||^2 + C * sum_i logloss_i

  with the intercept not penalised (see the note above `sw_sum` in
  `sklearn/linear_model/_logistic.py`, which passes `l2_reg_strength = 1 / (C * n_samples)` to a
  mean loss: the same minimiser). The script fits with two solvers (newton-cholesky and
  newton-cg) at a very small tolerance and checks that they agree, and checks that the gradient
  of the objective above vanishes at the solution, so the figures are the true minimiser and not
  one solver's stopping point.
"""

import warnings

import numpy as np
import scipy
import sklearn
from sklearn.calibration import calibration_curve
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import brier_score_loss, roc_auc_score

ROWS = 60
SKIP = "#[rustfmt::skip]"  # keeps each figure on one line in the Rust source
C_VALUES = (1.0, 0.05)


class Lcg:
    """Numerical Recipes' 32-bit linear congruential generator: fixed, tiny, portable."""

    def __init__(self, seed):
        self.state = seed % 2**32

    def uniform(self):
        self.state = (1664525 * self.state + 1013904223) % 2**32
        return self.state / 2**32


def fixture():
    rng = Lcg(20261204)
    xs, ys = [], []
    for _ in range(ROWS):
        health = round(20 + 75 * rng.uniform(), 1)
        change_90 = round(10 * (rng.uniform() + rng.uniform() + rng.uniform() - 1.5), 1)
        high_risks = float(int(4 * rng.uniform()))
        constant = 1.0
        tenure = float(3 + int(58 * rng.uniform()))
        nps = float(round(-60 + 140 * rng.uniform()))
        eta = (
            -0.5
            + 0.06 * (health - 60)
            + 0.08 * change_90
            - 0.7 * high_risks
            + 0.01 * tenure
            + 0.01 * nps
        )
        renewed = rng.uniform() < 1 / (1 + np.exp(-eta))
        xs.append([health, change_90, high_risks, constant, tenure, nps])
        ys.append(1 if renewed else 0)
    return np.array(xs), np.array(ys)


def standardise(x):
    mean = x.mean(axis=0)
    std = x.std(axis=0, ddof=0)
    constant = x.max(axis=0) == x.min(axis=0)
    z = np.where(constant, 0.0, (x - mean) / np.where(constant, 1.0, std))
    return z, mean, np.where(constant, 0.0, std)


def fit(z, y, c, solver):
    model = LogisticRegression(C=c, solver=solver, tol=1e-14, max_iter=10_000)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a convergence or deprecation warning fails the run
        model.fit(z, y)
    return model


def gradient(z, y, c, w, b):
    p = 1 / (1 + np.exp(-(z @ w + b)))
    return np.concatenate([[c * np.sum(p - y)], w + c * z.T @ (p - y)])


def rust_floats(name, values):
    body = ", ".join(repr(float(v)) for v in values)
    return f"{SKIP}\nconst {name}: [f64; {len(values)}] = [{body}];"


def rust_float(name, value):
    return f"{SKIP}\nconst {name}: f64 = {float(value)!r};"


def main():
    x, y = fixture()
    assert 0 < y.sum() < len(y), "both classes must occur"
    z, mean, std = standardise(x)

    print(f"// scikit-learn {sklearn.__version__}, NumPy {np.__version__}, SciPy {scipy.__version__}")
    print(SKIP)
    print(f"const X: [[f64; {x.shape[1]}]; {x.shape[0]}] = [")
    for row in x:
        print("    [" + ", ".join(repr(float(v)) for v in row) + "],")
    print("];")
    print(SKIP)
    print(f"const Y: [bool; {len(y)}] = [" + ", ".join("true" if v else "false" for v in y) + "];")
    print(rust_floats("MEANS", mean))
    print(rust_floats("STDS", std))

    for c in C_VALUES:
        m = fit(z, y, c, "newton-cholesky")
        other = fit(z, y, c, "newton-cg")
        w, b = m.coef_[0], m.intercept_[0]
        assert np.max(np.abs(w - other.coef_[0])) < 1e-9, "the solvers disagree"
        assert abs(b - other.intercept_[0]) < 1e-9, "the solvers disagree"
        assert np.max(np.abs(gradient(z, y, c, w, b))) < 1e-9, "not at the minimum"
        p = m.predict_proba(z)[:, 1]
        assert np.mean((p > 0.5) == (y == 1)) < 1.0, "the classes must overlap"
        tag = str(c).replace(".", "_")
        print(f"// C = {c}")
        print(rust_floats(f"COEF_C{tag}", w))
        print(rust_float(f"INTERCEPT_C{tag}", b))
        print(rust_floats(f"PROB_C{tag}", p))
        print(rust_float(f"AUC_C{tag}", roc_auc_score(y, p)))
        print(rust_float(f"BRIER_C{tag}", brier_score_loss(y, p)))
        edges = np.arange(11) / 10
        assert not np.isin(p, edges).any(), "a probability on a bin edge bins differently"
        prob_true, prob_pred = calibration_curve(y, p, n_bins=10, strategy="uniform")
        counts = np.bincount(np.minimum((p * 10).astype(int), 9), minlength=10)
        print(SKIP)
        print(f"const BIN_COUNTS_C{tag}: [usize; 10] = [" + ", ".join(str(n) for n in counts) + "];")
        print(rust_floats(f"BIN_OBSERVED_C{tag}", prob_true))
        print(rust_floats(f"BIN_PREDICTED_C{tag}", prob_pred))

    # A manager's calls, mapped to probabilities: few distinct values, so many ties.
    rng = Lcg(77)
    levels = (0.9, 0.7, 0.4, 0.1)
    calls = []
    for label in y:
        shift = int(4 * rng.uniform())
        guess = 0 if label else 3
        calls.append(levels[(guess + (1 if shift == 0 else 0) - (1 if shift == 1 else 0)) % 4])
    calls = np.array(calls)
    print(rust_floats("CALLS", calls))
    print(rust_float("CALLS_AUC", roc_auc_score(y, calls)))
    print(rust_float("CALLS_BRIER", brier_score_loss(y, calls)))


if __name__ == "__main__":
    main()
