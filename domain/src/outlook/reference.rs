//! The fit and the grading checked against scikit-learn on a fixture.
//!
//! The constants below are the output of `tests/reference/outlook.py`, pasted as printed (see
//! that script for how to regenerate them and why the fixture is made as it is). scikit-learn
//! was given the matrix standardised as [`logistic`](super::logistic) standardises it
//! (population standard deviation, a constant column mapped to 0), so the coefficients compare
//! on the standardised scale.
//!
//! Fitted figures are held to 1e-9, tighter than the 1e-6 the issue asks for: a Newton fit whose
//! line search insists on a strict fall stalls on rounding about 2.6e-9 short of the minimum on
//! this fixture, which 1e-6 would let through. The fit agrees with scikit-learn to about 1e-12.
//! AUC, Brier and calibration, computed on scikit-learn's own probabilities, are held to 1e-12.

use super::logistic::{FitOptions, fit};
use super::metrics::{Prediction, auc, brier, calibration};

// scikit-learn 1.9.1, NumPy 2.4.6, SciPy 1.17.1
#[rustfmt::skip]
const X: [[f64; 6]; 60] = [
    [58.6, 8.8, 0.0, 1.0, 4.0, 22.0],
    [65.3, 2.6, 1.0, 1.0, 55.0, 1.0],
    [53.5, 3.3, 3.0, 1.0, 27.0, 38.0],
    [34.2, 0.9, 3.0, 1.0, 33.0, -50.0],
    [82.6, -3.9, 3.0, 1.0, 28.0, 40.0],
    [56.1, 4.2, 2.0, 1.0, 15.0, 57.0],
    [69.0, 6.1, 2.0, 1.0, 50.0, 68.0],
    [70.0, 6.1, 0.0, 1.0, 24.0, -6.0],
    [25.2, -3.9, 3.0, 1.0, 51.0, 76.0],
    [31.3, 7.6, 2.0, 1.0, 51.0, 13.0],
    [57.2, -0.4, 1.0, 1.0, 7.0, 5.0],
    [66.6, 3.9, 1.0, 1.0, 42.0, 47.0],
    [69.5, -2.4, 1.0, 1.0, 21.0, 8.0],
    [28.6, -8.7, 3.0, 1.0, 7.0, 66.0],
    [70.1, -4.3, 3.0, 1.0, 19.0, -36.0],
    [25.2, 3.9, 1.0, 1.0, 3.0, 20.0],
    [24.7, 1.0, 0.0, 1.0, 30.0, -20.0],
    [49.7, -9.4, 2.0, 1.0, 14.0, 51.0],
    [86.4, -1.5, 2.0, 1.0, 3.0, 47.0],
    [60.4, -7.9, 3.0, 1.0, 51.0, 19.0],
    [75.9, 8.5, 1.0, 1.0, 24.0, -19.0],
    [59.9, -2.5, 0.0, 1.0, 28.0, -5.0],
    [85.6, 3.3, 3.0, 1.0, 18.0, 59.0],
    [25.6, 1.5, 3.0, 1.0, 38.0, 65.0],
    [34.7, -6.0, 0.0, 1.0, 30.0, -18.0],
    [63.3, 0.7, 1.0, 1.0, 56.0, -18.0],
    [48.7, 7.5, 3.0, 1.0, 34.0, 70.0],
    [37.8, 1.4, 1.0, 1.0, 43.0, -48.0],
    [88.8, 3.2, 3.0, 1.0, 44.0, -57.0],
    [27.3, -4.4, 3.0, 1.0, 49.0, 8.0],
    [32.4, 0.0, 3.0, 1.0, 44.0, -4.0],
    [27.9, -11.6, 1.0, 1.0, 29.0, -50.0],
    [52.0, -6.7, 1.0, 1.0, 33.0, -57.0],
    [33.4, -5.6, 0.0, 1.0, 10.0, -15.0],
    [20.2, 1.6, 0.0, 1.0, 14.0, 14.0],
    [40.1, -4.8, 1.0, 1.0, 14.0, -36.0],
    [39.3, -6.6, 3.0, 1.0, 45.0, 52.0],
    [51.4, 5.9, 3.0, 1.0, 57.0, 21.0],
    [71.2, 4.6, 3.0, 1.0, 49.0, 11.0],
    [82.6, 1.8, 1.0, 1.0, 12.0, -47.0],
    [91.8, -5.6, 2.0, 1.0, 39.0, 39.0],
    [90.2, 5.6, 3.0, 1.0, 14.0, -3.0],
    [21.0, -6.9, 2.0, 1.0, 48.0, -6.0],
    [52.0, 4.4, 3.0, 1.0, 35.0, 71.0],
    [27.0, -1.4, 0.0, 1.0, 60.0, -58.0],
    [46.9, 6.0, 3.0, 1.0, 52.0, -10.0],
    [81.2, 3.2, 3.0, 1.0, 55.0, -42.0],
    [33.9, -3.7, 2.0, 1.0, 34.0, -34.0],
    [38.2, -9.6, 1.0, 1.0, 3.0, 61.0],
    [82.5, -4.0, 1.0, 1.0, 47.0, -11.0],
    [89.8, -7.8, 1.0, 1.0, 23.0, 20.0],
    [77.2, 7.3, 3.0, 1.0, 15.0, 41.0],
    [20.3, 5.6, 1.0, 1.0, 24.0, -18.0],
    [21.8, 1.3, 2.0, 1.0, 49.0, 40.0],
    [35.7, -0.5, 3.0, 1.0, 45.0, 3.0],
    [44.7, -5.9, 1.0, 1.0, 40.0, 55.0],
    [94.0, 1.9, 2.0, 1.0, 12.0, -24.0],
    [28.1, -5.6, 2.0, 1.0, 46.0, -36.0],
    [59.1, -3.8, 3.0, 1.0, 13.0, -4.0],
    [62.9, -0.1, 0.0, 1.0, 53.0, -41.0],
];
#[rustfmt::skip]
const Y: [bool; 60] = [false, false, false, false, false, false, true, true, false, false, false, true, true, false, false, false, false, false, true, false, false, false, true, false, false, true, false, false, true, false, false, false, false, true, false, false, false, false, false, true, false, false, false, false, false, false, false, true, false, false, true, true, false, false, false, false, true, false, false, true];
#[rustfmt::skip]
const MEANS: [f64; 6] = [53.010000000000005, -0.36333333333333334, 1.8, 1.0, 31.883333333333333, 7.25];
#[rustfmt::skip]
const STDS: [f64; 6] = [22.39414134693864, 5.226980220186626, 1.1075498483890767, 0.0, 16.71236235711623, 38.79545720828664];
// C = 1.0
#[rustfmt::skip]
const COEF_C1_0: [f64; 6] = [1.2465473650724126, 0.19107775243914246, -0.6304410953722894, 0.0, -0.1256817722097012, -0.03290862245758286];
#[rustfmt::skip]
const INTERCEPT_C1_0: f64 = -1.538371097877485;
#[rustfmt::skip]
const PROB_C1_0: [f64; 60] = [0.5816482547501931, 0.38719980956421013, 0.11409236477442118, 0.039843812230977445, 0.3313240900639083, 0.22642136937295082, 0.3287931595353288, 0.6767239951068692, 0.016289358589964137, 0.06190716350257099, 0.3402761587652552, 0.4303389910886443, 0.46049809974740563, 0.02303005134543765, 0.2174694620609703, 0.09374321844356148, 0.11894028250304102, 0.11210360288586374, 0.5862164331698616, 0.09627464343371502, 0.6449044106892069, 0.4579096598747036, 0.4469699451237367, 0.0224434599383822, 0.1540148482565811, 0.3472190201036752, 0.09595130128788713, 0.12989166120173223, 0.46615653480746777, 0.019275038366047645, 0.0311598992528614, 0.05618721105444113, 0.21002826098298336, 0.16612644092053885, 0.10530947871132952, 0.1427508125497337, 0.03392206585345851, 0.09257084692072735, 0.23878139596218678, 0.6981983116996948, 0.5585076187265311, 0.5522796099297469, 0.022249454149614538, 0.10146574595626393, 0.10381038854820261, 0.07830693390489597, 0.34207192622134625, 0.056313649611242494, 0.1117075468619724, 0.5811251932406536, 0.6789649394739748, 0.37837651472287376, 0.06881323141615901, 0.029736670696585525, 0.036088941313412594, 0.13593108567332474, 0.7085241087132802, 0.035581087763312196, 0.13510883820161415, 0.48213159038246683];
#[rustfmt::skip]
const AUC_C1_0: f64 = 0.8533333333333333;
#[rustfmt::skip]
const BRIER_C1_0: f64 = 0.1289033029827061;
#[rustfmt::skip]
const BIN_COUNTS_C1_0: [usize; 10] = [20, 13, 4, 7, 6, 5, 4, 1, 0, 0];
#[rustfmt::skip]
const BIN_OBSERVED_C1_0: [f64; 8] = [0.05, 0.07692307692307693, 0.0, 0.42857142857142855, 0.8333333333333334, 0.2, 0.75, 1.0];
#[rustfmt::skip]
const BIN_PREDICTED_C1_0: [f64; 8] = [0.05048440195376271, 0.1254810074649707, 0.2231751220947728, 0.35075152556808536, 0.45733413683740415, 0.5719554219633973, 0.6746979142424364, 0.7085241087132802];
// C = 0.05
#[rustfmt::skip]
const COEF_C0_05: [f64; 6] = [0.39480290121065625, 0.09353490785820297, -0.1577251947065063, 0.0, -0.09068713978286848, -0.040985672728070674];
#[rustfmt::skip]
const INTERCEPT_C0_05: f64 = -1.1514605928753125;
#[rustfmt::skip]
const PROB_C0_05: [f64; 60] = [0.37827477317492075, 0.29179702233921445, 0.22198322511883375, 0.1712296567263406, 0.29369580523760125, 0.2680083244239864, 0.27991748922639603, 0.3957608067169905, 0.11382149356867549, 0.17799493097715838, 0.3042971147183494, 0.3060726000687876, 0.3262929345948288, 0.13836743795864878, 0.27370541456512, 0.21277743506473928, 0.2090241325531691, 0.20600390725396464, 0.3782721319000011, 0.19106873080625927, 0.4001421793523239, 0.3147777862299955, 0.34038477441742443, 0.1339541203782872, 0.2172277057281591, 0.2806407913405609, 0.20826711882775378, 0.21821802603391177, 0.34853373569559293, 0.12548093951727401, 0.1501962171472572, 0.16726109902494243, 0.2484466913283263, 0.23284803805235435, 0.20611363824579196, 0.23115643252212753, 0.1425695435866351, 0.1994918308630288, 0.2670400815175507, 0.4226386992858542, 0.3403010304238244, 0.3888568602476473, 0.1262314572416959, 0.2076448381716187, 0.18910108604877998, 0.1966861859576848, 0.3025860781675951, 0.17588754104745447, 0.20359584246088042, 0.3440139981889932, 0.3805351724764548, 0.33119260320685945, 0.19184948312313055, 0.1384908012983897, 0.15490282462831545, 0.2013942915700145, 0.43146176927367486, 0.14884132260804953, 0.23828017863597695, 0.314391819133823];
#[rustfmt::skip]
const AUC_C0_05: f64 = 0.8474074074074074;
#[rustfmt::skip]
const BRIER_C0_05: f64 = 0.1549011525435725;
#[rustfmt::skip]
const BIN_COUNTS_C0_05: [usize; 10] = [0, 19, 22, 16, 3, 0, 0, 0, 0, 0];
#[rustfmt::skip]
const BIN_OBSERVED_C0_05: [f64; 4] = [0.05263157894736842, 0.13636363636363635, 0.5625, 0.6666666666666666];
#[rustfmt::skip]
const BIN_PREDICTED_C0_05: [f64; 4] = [0.15965403697410566, 0.23717211046445694, 0.3434090137101305, 0.4180808826372843];
#[rustfmt::skip]
const CALLS: [f64; 60] = [0.4, 0.4, 0.1, 0.1, 0.1, 0.9, 0.9, 0.7, 0.1, 0.9, 0.1, 0.1, 0.9, 0.9, 0.1, 0.4, 0.1, 0.4, 0.1, 0.1, 0.1, 0.1, 0.7, 0.1, 0.9, 0.1, 0.9, 0.1, 0.9, 0.1, 0.1, 0.1, 0.1, 0.7, 0.1, 0.1, 0.1, 0.4, 0.9, 0.9, 0.1, 0.1, 0.1, 0.1, 0.1, 0.9, 0.1, 0.9, 0.9, 0.1, 0.9, 0.1, 0.1, 0.1, 0.9, 0.4, 0.9, 0.1, 0.1, 0.7];
#[rustfmt::skip]
const CALLS_AUC: f64 = 0.7222222222222223;
#[rustfmt::skip]
const CALLS_BRIER: f64 = 0.2036666666666667;

fn names() -> Vec<String> {
    (0..X[0].len()).map(|j| format!("x{j}")).collect()
}

fn rows() -> Vec<Vec<f64>> {
    X.iter().map(|r| r.to_vec()).collect()
}

fn close(what: &str, got: &[f64], want: &[f64], tolerance: f64) {
    assert_eq!(got.len(), want.len(), "{what}: lengths");
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        assert!(
            (g - w).abs() <= tolerance,
            "{what}[{i}]: got {g}, scikit-learn {w} (off by {:e})",
            (g - w).abs()
        );
    }
}

/// Fits at `c` and holds the model to scikit-learn's figures.
fn matches_scikit_learn(c: f64, coefficients: &[f64], intercept: f64, probabilities: &[f64]) {
    let options = FitOptions {
        c,
        ..FitOptions::default()
    };
    let model = fit(&names(), &rows(), &Y, options).unwrap();
    close("means", &model.means, &MEANS, 1e-12);
    close("stds", &model.stds, &STDS, 1e-12);
    close("coefficients", &model.coefficients, coefficients, 1e-9);
    close("intercept", &[model.intercept], &[intercept], 1e-9);
    let predicted: Vec<f64> = X.iter().map(|r| model.predict(r).unwrap()).collect();
    close("probabilities", &predicted, probabilities, 1e-9);
    // The constant column carries nothing.
    assert_eq!(model.coefficients[3], 0.0);
}

fn predictions(probabilities: &[f64]) -> Vec<Prediction> {
    probabilities
        .iter()
        .zip(Y)
        .map(|(p, renewed)| Prediction {
            probability: *p,
            renewed,
        })
        .collect()
}

#[test]
fn the_fit_matches_scikit_learn_at_c_1() {
    matches_scikit_learn(1.0, &COEF_C1_0, INTERCEPT_C1_0, &PROB_C1_0);
}

#[test]
fn the_fit_matches_scikit_learn_at_c_0_05() {
    matches_scikit_learn(0.05, &COEF_C0_05, INTERCEPT_C0_05, &PROB_C0_05);
}

/// The tolerance tells objectives apart: scaling the loss by the number of rows (a mean instead
/// of scikit-learn's sum) moves the coefficients far more than 1e-6.
#[test]
fn a_mean_loss_instead_of_a_sum_would_not_match() {
    let options = FitOptions {
        c: 1.0 / X.len() as f64,
        ..FitOptions::default()
    };
    let model = fit(&names(), &rows(), &Y, options).unwrap();
    let largest = model
        .coefficients
        .iter()
        .zip(COEF_C1_0)
        .map(|(g, w)| (g - w).abs())
        .fold(0.0, f64::max);
    assert!(largest > 1e-2, "{largest}");
}

#[test]
fn auc_and_brier_match_scikit_learn_on_its_probabilities() {
    for (probabilities, want_auc, want_brier) in [
        (&PROB_C1_0, AUC_C1_0, BRIER_C1_0),
        (&PROB_C0_05, AUC_C0_05, BRIER_C0_05),
    ] {
        let p = predictions(probabilities);
        close("auc", &[auc(&p).unwrap()], &[want_auc], 1e-12);
        close("brier", &[brier(&p).unwrap()], &[want_brier], 1e-12);
    }
}

#[test]
fn the_managers_tied_calls_grade_as_scikit_learn_grades_them() {
    let p = predictions(&CALLS);
    close("auc", &[auc(&p).unwrap()], &[CALLS_AUC], 1e-12);
    close("brier", &[brier(&p).unwrap()], &[CALLS_BRIER], 1e-12);
}

#[test]
fn calibration_bins_match_scikit_learn() {
    for (probabilities, counts, observed, predicted) in [
        (
            &PROB_C1_0[..],
            BIN_COUNTS_C1_0,
            &BIN_OBSERVED_C1_0[..],
            &BIN_PREDICTED_C1_0[..],
        ),
        (
            &PROB_C0_05[..],
            BIN_COUNTS_C0_05,
            &BIN_OBSERVED_C0_05[..],
            &BIN_PREDICTED_C0_05[..],
        ),
    ] {
        let bins = calibration(&predictions(probabilities));
        let want: Vec<(u8, usize)> = (0..10u8).zip(counts).filter(|(_, n)| *n > 0).collect();
        let got: Vec<(u8, usize)> = bins.iter().map(|b| (b.decile, b.count)).collect();
        assert_eq!(got, want);
        let rates: Vec<f64> = bins.iter().map(|b| b.observed_rate).collect();
        let means: Vec<f64> = bins.iter().map(|b| b.mean_predicted).collect();
        close("observed", &rates, observed, 1e-12);
        close("predicted", &means, predicted, 1e-12);
    }
}
