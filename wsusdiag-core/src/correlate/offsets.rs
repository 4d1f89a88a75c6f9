//! Each client clock's offset to server UTC: from fault-ID pairs when there are any (they see
//! the real clock, skew included), else from the log's `tz:` banner.

use crate::analyze::client::ClientAnalysis;
use crate::diagnosis::ClockOffset;

/// Pairs further than this from the median are taken for wrong pairs and left out.
const OUTLIER_SECONDS: i64 = 15 * 60;

/// Estimates the offset of one client log from the server-minus-client differences of its
/// fault-ID pairs (robust to a few wrong pairs: the median, outliers dropped) and its banner.
pub(crate) fn estimate_offset(source: &str, c: &ClientAnalysis, pairs: &[i64]) -> ClockOffset {
    let from_banner = if c.utc {
        Some(0)
    } else {
        c.tz_minutes.map(|tz| -i64::from(tz) * 60)
    };
    let from_pairs = robust_median(pairs);
    let (offset, basis) = match (from_pairs, from_banner) {
        (Some((o, _)), _) => (Some(o), Some("fault-id")),
        (None, Some(o)) => (Some(o), Some(if c.utc { "utc" } else { "tz-banner" })),
        (None, None) => (None, None),
    };
    ClockOffset {
        source: source.to_owned(),
        offset_seconds: offset,
        basis,
        pairs: from_pairs.map_or(0, |(_, n)| n),
        tz_minutes: c.tz_minutes,
        skew_seconds: from_pairs.zip(from_banner).map(|((p, _), b)| p - b),
    }
}

/// The median of the values within [`OUTLIER_SECONDS`] of the raw median, and how many there
/// were.
fn robust_median(values: &[i64]) -> Option<(i64, u32)> {
    let median = |v: &mut Vec<i64>| -> Option<i64> {
        if v.is_empty() {
            return None;
        }
        v.sort_unstable();
        let n = v.len();
        Some(if n % 2 == 1 {
            v[n / 2]
        } else {
            (v[n / 2 - 1] + v[n / 2]) / 2
        })
    };
    let mut all = values.to_vec();
    let m = median(&mut all)?;
    let mut kept: Vec<i64> = values
        .iter()
        .copied()
        .filter(|v| (v - m).abs() <= OUTLIER_SECONDS)
        .collect();
    let n = u32::try_from(kept.len()).unwrap_or(u32::MAX);
    median(&mut kept).map(|m| (m, n))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_ignores_a_wrong_pair() {
        assert_eq!(
            robust_median(&[18000, 18002, 18001, -5000]),
            Some((18001, 3))
        );
        assert_eq!(robust_median(&[]), None);
    }

    #[test]
    fn pairs_beat_the_banner_and_show_skew() {
        let c = ClientAnalysis {
            tz_minutes: Some(-300),
            ..ClientAnalysis::default()
        };
        let o = estimate_offset("c", &c, &[18000 + 95, 18000 + 95]);
        assert_eq!(
            (o.offset_seconds, o.basis, o.skew_seconds),
            (Some(18095), Some("fault-id"), Some(95))
        );
        let o = estimate_offset("c", &c, &[]);
        assert_eq!(
            (o.offset_seconds, o.basis, o.skew_seconds),
            (Some(18000), Some("tz-banner"), None)
        );
        let o = estimate_offset("c", &ClientAnalysis::default(), &[]);
        assert_eq!(o.offset_seconds, None);
    }
}
