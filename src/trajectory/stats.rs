//! Statistics over many episodes: the mean with a 95 % interval, and pass^k.

/// The trials of one problem (a task and seed) and how many of them passed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Passes {
    /// Trials played.
    pub trials: u32,
    /// Trials that passed.
    pub passed: u32,
}

/// pass^k (τ-bench): the chance that `k` trials of a problem, drawn without replacement from
/// the ones played, all pass, averaged over the problems with at least `k` trials. For a
/// problem with `n` trials of which `c` passed that is C(c, k) / C(n, k), the unbiased
/// estimator. `None` when no problem has `k` trials (or `k` is 0).
pub fn pass_hat_k(problems: &[Passes], k: u32) -> Option<f64> {
    let eligible: Vec<&Passes> = problems.iter().filter(|p| k > 0 && p.trials >= k).collect();
    if eligible.is_empty() {
        return None;
    }
    let chance = |p: &Passes| {
        (0..k)
            .map(|i| f64::from(p.passed.saturating_sub(i)) / f64::from(p.trials - i))
            .product::<f64>()
    };
    Some(eligible.iter().map(|p| chance(p)).sum::<f64>() / eligible.len() as f64)
}

/// The mean of `values` and its 95 % confidence interval (normal approximation, sample
/// standard deviation), clamped to `[floor, ceiling]`; zeros for no values.
pub fn mean_with_ci95(values: &[f64], floor: f64, ceiling: f64) -> (f64, [f64; 2]) {
    if values.is_empty() {
        return (0.0, [0.0, 0.0]);
    }
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    let variance = if values.len() > 1 {
        values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0)
    } else {
        0.0
    };
    let half = 1.96 * variance.sqrt() / n.sqrt();
    (mean, [(mean - half).max(floor), (mean + half).min(ceiling)])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn binomial(n: u64, k: u64) -> f64 {
        if k > n {
            return 0.0;
        }
        (0..k).fold(1.0, |acc, i| acc * (n - i) as f64 / (i + 1) as f64)
    }

    #[test]
    fn pass_hat_k_is_the_ratio_of_binomials_averaged_over_problems() {
        let problems = [
            Passes { trials: 4, passed: 4 },
            Passes { trials: 4, passed: 3 },
            Passes { trials: 4, passed: 1 },
            Passes { trials: 4, passed: 0 },
        ];
        // By hand: k=1: (4+3+1+0)/4/4 = 0.5; k=2: (6/6 + 3/6 + 0 + 0)/4 = 0.375;
        // k=3: (1 + 1/4)/4 = 0.3125; k=4: 1/4.
        let expected = [0.5, 0.375, 0.3125, 0.25];
        for (k, want) in (1..=4).zip(expected) {
            let got = pass_hat_k(&problems, k).unwrap();
            assert!((got - want).abs() < 1e-12, "k={k}: {got} != {want}");
            let by_binomials = problems
                .iter()
                .map(|p| binomial(p.passed.into(), k.into()) / binomial(p.trials.into(), k.into()))
                .sum::<f64>()
                / 4.0;
            assert!((got - by_binomials).abs() < 1e-12);
        }
        assert_eq!(pass_hat_k(&problems, 5), None);
        assert_eq!(pass_hat_k(&problems, 0), None);
    }

    #[test]
    fn problems_with_fewer_trials_than_k_are_left_out() {
        let problems = [Passes { trials: 1, passed: 0 }, Passes { trials: 2, passed: 2 }];
        assert_eq!(pass_hat_k(&problems, 1), Some(0.5));
        assert_eq!(pass_hat_k(&problems, 2), Some(1.0));
    }

    #[test]
    fn the_mean_and_interval() {
        assert_eq!(mean_with_ci95(&[], 0.0, 1.0), (0.0, [0.0, 0.0]));
        assert_eq!(mean_with_ci95(&[0.5], 0.0, 1.0), (0.5, [0.5, 0.5]));
        let (mean, [low, high]) = mean_with_ci95(&[0.0, 1.0, 0.0, 1.0], 0.0, 1.0);
        assert_eq!(mean, 0.5);
        // sd = sqrt(1/3); half = 1.96 * 0.57735 / 2 = 0.565803
        assert!((high - 1.0).abs() < 1e-12 && (low - 0.0).abs() < 1e-12);
        let (_, [low, high]) = mean_with_ci95(&[0.4, 0.6], f64::MIN, f64::MAX);
        assert!((high - 0.5 - 1.96 * 0.1414213562373095 / 2f64.sqrt()).abs() < 1e-12);
        assert!((0.5 - low - (high - 0.5)).abs() < 1e-12);
    }
}
