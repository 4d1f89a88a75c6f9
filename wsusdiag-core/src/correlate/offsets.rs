//! Each client clock's offset to server UTC: from fault-ID pairs when there are any (they see
//! the real clock, skew included), else from the log's `tz:` banner; and the time window its
//! uncertainty allows for joins by time.

use chrono::Duration;

use super::OffsetBasis;
use crate::pipeline::client::ClientAnalysis;

/// Pairs further than this from the median are taken for wrong pairs and left out.
const OUTLIER_SECONDS: i64 = 15 * 60;
/// A server entry and the client's line about the same request are at most this far apart
/// beyond the offset's own error (the request's time on the wire and in the server).
const LATENCY_SECONDS: i64 = 5;
/// The offset's error assumed when it rests on fewer than [`MANY_PAIRS`] pairs, whose spread
/// says little.
const FEW_PAIRS_SECONDS: i64 = 10;
/// Pairs enough for their spread to be the offset's error.
const MANY_PAIRS: u32 = 3;

/// What is known of one client clock, against server UTC.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct ClockEstimate {
    /// Server UTC minus the log's time, in seconds, when it can be known.
    pub offset_seconds: Option<i64>,
    /// What the offset rests on.
    pub basis: Option<OffsetBasis>,
    /// Fault-ID pairs kept for it.
    pub pairs: u32,
    /// The log's `tz:`, in minutes east of UTC.
    pub tz_minutes: Option<i32>,
    /// The part of the offset the time zone does not explain.
    pub skew_seconds: Option<i64>,
}

/// Estimates the offset of one client log from the server-minus-client differences of its
/// fault-ID pairs (robust to a few wrong pairs: the median, outliers dropped) and its banner.
pub(crate) fn estimate_offset(c: &ClientAnalysis, pairs: &[i64]) -> ClockEstimate {
    let from_banner = if c.utc {
        Some(0)
    } else {
        c.tz_minutes.map(|tz| -i64::from(tz) * 60)
    };
    let from_pairs = robust_median(pairs);
    let (offset, basis) = match (from_pairs, from_banner) {
        (Some((o, _)), _) => (Some(o), Some(OffsetBasis::FaultId)),
        (None, Some(o)) => {
            let basis = if c.utc {
                OffsetBasis::Utc
            } else {
                OffsetBasis::TzBanner
            };
            (Some(o), Some(basis))
        }
        (None, None) => (None, None),
    };
    ClockEstimate {
        offset_seconds: offset,
        basis,
        pairs: from_pairs.map_or(0, |(_, n)| n),
        tz_minutes: c.tz_minutes,
        skew_seconds: from_pairs.zip(from_banner).map(|((p, _), b)| p - b),
    }
}

/// How far from a client fault's UTC time a server entry may be to be the same event, in
/// seconds, and what that rests on (the offset's `basis`); `None` when the offset is unknown.
///
/// From fault-ID pairs: their spread (the widest distance of a kept pair from the offset, plus
/// the second the pairs are rounded to), at least [`FEW_PAIRS_SECONDS`] for fewer than
/// [`MANY_PAIRS`] pairs, plus [`LATENCY_SECONDS`]; never wider than `widest`. From the banner or
/// a UTC log alone, the clock's own error is unknown: `widest`.
pub(crate) fn window(
    o: &ClockEstimate,
    pairs: &[i64],
    widest: Duration,
) -> Option<(i64, OffsetBasis)> {
    let offset = o.offset_seconds?;
    let basis = o.basis?;
    let widest = widest.num_seconds();
    if basis != OffsetBasis::FaultId {
        return Some((widest, basis));
    }
    let spread = (pairs.iter())
        .map(|p| (p - offset).abs())
        .filter(|&d| d <= OUTLIER_SECONDS)
        .max()
        .unwrap_or(0)
        + 1;
    let error = if o.pairs < MANY_PAIRS {
        spread.max(FEW_PAIRS_SECONDS)
    } else {
        spread
    };
    Some(((error + LATENCY_SECONDS).min(widest), basis))
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
        let o = estimate_offset(&c, &[18000 + 95, 18000 + 95]);
        assert_eq!(
            (o.offset_seconds, o.basis, o.skew_seconds),
            (Some(18095), Some(OffsetBasis::FaultId), Some(95))
        );
        let o = estimate_offset(&c, &[]);
        assert_eq!(
            (o.offset_seconds, o.basis, o.skew_seconds),
            (Some(18000), Some(OffsetBasis::TzBanner), None)
        );
        let o = estimate_offset(&ClientAnalysis::default(), &[]);
        assert_eq!(o.offset_seconds, None);
    }

    #[test]
    fn the_window_follows_what_is_known_of_the_clock() {
        let c = ClientAnalysis {
            tz_minutes: Some(330),
            ..ClientAnalysis::default()
        };
        let widest = Duration::seconds(120);
        let window_of = |pairs: &[i64]| window(&estimate_offset(&c, pairs), pairs, widest);
        // Many pairs that agree: their spread, the rounding and the latency.
        let tight = [-19_770, -19_771, -19_770, -19_769, -19_770];
        assert_eq!(window_of(&tight), Some((1 + 1 + 5, OffsetBasis::FaultId)));
        // Many pairs that spread further: a wider window; a wrong pair left out.
        let loose = [-19_770, -19_760, -19_780, -19_770, 40_000];
        assert_eq!(window_of(&loose), Some((10 + 1 + 5, OffsetBasis::FaultId)));
        // One pair says little about the next request's latency.
        assert_eq!(window_of(&[-19_770]), Some((10 + 5, OffsetBasis::FaultId)));
        // The banner alone: skew unknown, the widest window.
        assert_eq!(window_of(&[]), Some((120, OffsetBasis::TzBanner)));
        let utc = ClientAnalysis {
            utc: true,
            ..ClientAnalysis::default()
        };
        let o = estimate_offset(&utc, &[]);
        assert_eq!(window(&o, &[], widest), Some((120, OffsetBasis::Utc)));
        // No offset, no window.
        let o = estimate_offset(&ClientAnalysis::default(), &[]);
        assert_eq!(window(&o, &[], widest), None);
    }
}
