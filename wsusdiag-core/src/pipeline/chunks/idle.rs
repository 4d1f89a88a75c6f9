//! Idle gaps: spans without any record (the machine slept, or the service was stopped).

use chrono::NaiveDateTime;

/// A gap between two records longer than this is idle time.
pub(super) const IDLE_SECONDS: i64 = 600;

/// Finds the gaps between consecutive records longer than [`IDLE_SECONDS`]. Times are only
/// compared, not subtracted, but once every half of that span of log time: a subtraction for
/// every record was a tenth of the read.
pub(super) struct IdleGaps {
    /// The last record's time.
    last: Option<NaiveDateTime>,
    /// No gap can end before this: half the idle span after a time at or before `last`.
    next_check: Option<NaiveDateTime>,
}

impl IdleGaps {
    /// Gaps after a record at `last` (`None`: before the first record).
    pub(super) fn after(last: Option<NaiveDateTime>) -> Self {
        Self {
            last,
            next_check: None,
        }
    }

    /// The idle seconds before a record at `time` (0 when there are none, or no time).
    #[inline]
    pub(super) fn before(&mut self, time: Option<NaiveDateTime>) -> i64 {
        let Some(t) = time else {
            return 0;
        };
        let mut idle = 0;
        if self.next_check.is_none_or(|d| t > d) {
            if let Some(last) = self.last {
                let gap = (t - last).num_seconds();
                if gap > IDLE_SECONDS {
                    idle = gap;
                }
            }
            self.next_check = Some(t + chrono::Duration::seconds(IDLE_SECONDS / 2));
        }
        self.last = Some(t);
        idle
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn idle_gaps_are_found_between_consecutive_records_only() {
        let at = |s: &str| Some(NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S").unwrap());
        let mut idle = IdleGaps::after(None);
        let seen: Vec<i64> = [
            "2024-04-12 01:39:00",
            "2024-04-12 01:42:00",
            "2024-04-12 01:49:00",
            "2024-04-12 02:00:00",
            "2024-04-12 10:58:16",
            "2024-04-12 10:58:17",
        ]
        .into_iter()
        .map(|t| idle.before(at(t)))
        .collect();
        // 7 and 11 minutes, then 8 h 58 min 16 s.
        assert_eq!(seen, [0, 0, 0, 660, 32_296, 0]);
        assert_eq!(idle.before(None), 0);
    }
}
