//! "Did you mean …?" suggestions for unknown names.

/// The candidate closest to `name` by edit distance, if it is close enough to help.
pub fn closest<'c>(name: &str, candidates: impl IntoIterator<Item = &'c str>) -> Option<&'c str> {
    let limit = (name.chars().count() / 3).max(1) + 1;
    let lower = name.to_lowercase();
    let mut best: Option<(usize, &str)> = None;
    for cand in candidates {
        let squashed = |s: &str| s.replace(['_', '-'], "").to_lowercase();
        let d = if squashed(cand) == squashed(name) {
            0
        } else {
            distance(&lower, &cand.to_lowercase())
        };
        if d <= limit && best.is_none_or(|(bd, _)| d < bd) {
            best = Some((d, cand));
        }
    }
    best.map(|(_, c)| c)
}

/// Levenshtein distance in characters.
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.chars().enumerate() {
        cur[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_names_only() {
        let names = ["batch_size", "timeout", "device"];
        assert_eq!(closest("batchsize", names), Some("batch_size"));
        assert_eq!(closest("timout", names), Some("timeout"));
        assert_eq!(closest("replicas", names), None);
    }
}
