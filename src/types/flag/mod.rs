//! The flags of `std/ml` (`ml.FeatureFlag`, `ml.Experiment`) as evaluation
//! sees them: [`model`] reads a flag from its evaluated value, [`check`] finds
//! what flagd would reject or serve differently from the sources. Lower than
//! both `eval` (which runs the checks per evaluation, `eval/flags.rs`) and
//! `emit::flagd` (which writes the flag sets), so `emit` depends on `eval`
//! and never the reverse.

pub mod check;
pub mod model;

pub use model::{Flag, FlagField, FlagKind};

/// Whole percentages for `shares` (which add up to 100 within float noise):
/// each share rounded down, then the points still missing to 100 given one
/// each to the shares with the largest remainders (ties: declaration order).
pub fn integer_shares(shares: &[(String, f64)]) -> Vec<(String, u32)> {
    // 1e-9 absorbs float noise such as 0.1 * 300 = 29.999999999999996.
    let floors: Vec<f64> = shares
        .iter()
        .map(|(_, s)| (s.max(0.0) + 1e-9).floor())
        .collect();
    let total: f64 = floors.iter().sum();
    let mut missing = (100.0 - total).max(0.0) as usize;
    let mut order: Vec<usize> = (0..shares.len()).collect();
    let rem = |i: usize| shares[i].1 - floors[i];
    // Stable sort: equal remainders keep declaration order.
    order.sort_by(|&a, &b| rem(b).total_cmp(&rem(a)));
    let mut out: Vec<(String, u32)> = shares
        .iter()
        .zip(&floors)
        .map(|((k, _), f)| (k.clone(), *f as u32))
        .collect();
    for i in order {
        if missing == 0 {
            break;
        }
        if rem(i) > 1e-9 {
            out[i].1 += 1;
            missing -= 1;
        }
    }
    out
}

/// Today's UTC date as `YYYY-MM-DD`, the date of the expiry warning: the
/// only clock read of flag checking. Read once per compilation
/// (`eval::LayerCache::today`), never per evaluation.
pub fn today() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX / 2));
    let mut date = crate::git::iso_utc(secs);
    date.truncate(10);
    date
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn today_is_a_date() {
        let t = today();
        assert_eq!(t.len(), 10, "{t}");
        assert!(t.as_str() > "2026-01-01" && t.as_bytes()[4] == b'-', "{t}");
    }

    fn shares(items: &[(&str, f64)]) -> Vec<(String, f64)> {
        items.iter().map(|(k, v)| ((*k).to_owned(), *v)).collect()
    }

    fn weights(items: &[(&str, f64)]) -> Vec<u32> {
        integer_shares(&shares(items))
            .into_iter()
            .map(|(_, w)| w)
            .collect()
    }

    #[test]
    fn largest_remainder_rounding_sums_to_100() {
        assert_eq!(
            weights(&[("a", 33.333), ("b", 33.333), ("c", 33.334)]),
            [33, 33, 34]
        );
        assert_eq!(weights(&[("a", 50.0), ("b", 50.0)]), [50, 50]);
        assert_eq!(
            weights(&[("a", 100.0 / 3.0), ("b", 100.0 / 3.0), ("c", 100.0 / 3.0)]),
            [34, 33, 33],
            "ties go to the first declared"
        );
        assert_eq!(weights(&[("a", 12.5), ("b", 87.5)]), [13, 87]);
        assert_eq!(weights(&[("a", 0.1 * 300.0), ("b", 70.0)]), [30, 70]);
        assert_eq!(weights(&[("a", 0.4), ("b", 99.6)]), [0, 100]);
    }
}
