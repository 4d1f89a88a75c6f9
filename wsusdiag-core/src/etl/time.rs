//! Time: Windows FILETIME values, the trace clock, and the recording machine's time-zone rule.

use chrono::{Datelike, NaiveDate, NaiveDateTime, TimeDelta, Weekday};

/// 100-nanosecond ticks per second, the FILETIME unit.
const TICKS_PER_SECOND: i128 = 10_000_000;

/// 1601-01-01 00:00:00, the FILETIME epoch. Events whose time cannot be computed carry it.
pub const FILETIME_EPOCH: NaiveDateTime = match NaiveDate::from_ymd_opt(1601, 1, 1) {
    Some(d) => match d.and_hms_opt(0, 0, 0) {
        Some(t) => t,
        None => NaiveDateTime::MIN,
    },
    None => NaiveDateTime::MIN,
};

/// Converts a FILETIME (100 ns ticks since 1601-01-01 UTC) to a UTC time; `None` when negative
/// or out of chrono's range.
pub fn filetime_to_utc(filetime: i64) -> Option<NaiveDateTime> {
    if filetime < 0 {
        return None;
    }
    let secs = filetime / 10_000_000;
    let nanos = u32::try_from((filetime % 10_000_000) * 100).ok()?;
    FILETIME_EPOCH.checked_add_signed(TimeDelta::new(secs, nanos)?)
}

/// Converts a UTC time back to FILETIME ticks (sub-100 ns digits are dropped).
pub fn utc_to_filetime(time: NaiveDateTime) -> i64 {
    let delta = time - FILETIME_EPOCH;
    let secs = delta.num_seconds();
    let sub = (delta - TimeDelta::seconds(secs))
        .num_nanoseconds()
        .unwrap_or(0);
    secs.saturating_mul(10_000_000).saturating_add(sub / 100)
}

/// How the session stamped its events (`ReservedFlags` of the log header).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ClockType {
    /// QueryPerformanceCounter ticks, `frequency` per second (the default, and what Windows
    /// Update uses).
    PerformanceCounter,
    /// FILETIME values already (UTC, 100 ns).
    SystemTime,
    /// CPU cycles at the header's CPU speed.
    CpuCycles,
    /// A value this reader does not know; event times cannot be computed.
    Unknown(u32),
}

impl ClockType {
    pub(crate) fn from_raw(raw: u32) -> Self {
        match raw {
            1 => Self::PerformanceCounter,
            2 => Self::SystemTime,
            3 => Self::CpuCycles,
            other => Self::Unknown(other),
        }
    }
}

/// Everything needed to turn a raw event timestamp into UTC.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Clock {
    pub(crate) kind: ClockType,
    /// FILETIME of the session start (`StartTime`).
    pub(crate) start_filetime: i64,
    /// Raw timestamp of the log-header record, taken at `StartTime`.
    pub(crate) start_raw: i64,
    /// Counter ticks per second (`PerfFreq`).
    pub(crate) frequency: i64,
    /// CPU speed in MHz, for cycle clocks.
    pub(crate) cpu_mhz: u32,
}

impl Clock {
    /// The FILETIME of a raw timestamp, or `None` when the clock is unusable or the result
    /// overflows.
    pub(crate) fn filetime(&self, raw: i64) -> Option<i64> {
        let delta = i128::from(raw) - i128::from(self.start_raw);
        let ticks = match self.kind {
            ClockType::SystemTime => return Some(raw),
            ClockType::PerformanceCounter if self.frequency > 0 => {
                (delta * TICKS_PER_SECOND).div_euclid(i128::from(self.frequency))
            }
            ClockType::CpuCycles if self.cpu_mhz > 0 => {
                // cycles / (MHz × 10⁶) seconds = cycles × 10 / MHz ticks of 100 ns.
                (delta * 10).div_euclid(i128::from(self.cpu_mhz))
            }
            _ => return None,
        };
        i64::try_from(i128::from(self.start_filetime) + ticks).ok()
    }

    /// The UTC time of a raw timestamp.
    pub(crate) fn utc(&self, raw: i64) -> Option<NaiveDateTime> {
        filetime_to_utc(self.filetime(raw)?)
    }
}

/// A recurring time-zone transition, as Windows stores it in a SYSTEMTIME: the `week`th
/// `weekday` of `month` (week 5 = the last), at `hour:minute` local time.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub struct TransitionRule {
    /// Month, 1–12.
    pub month: u16,
    /// Day of the week, 0 = Sunday … 6 = Saturday.
    pub weekday: u16,
    /// Occurrence of that weekday in the month, 1–5 (5 = the last one).
    pub week: u16,
    /// Local hour of the change.
    pub hour: u16,
    /// Local minute of the change.
    pub minute: u16,
    /// Non-zero for a one-off rule fixed to that year (then `week` is the day of the month).
    pub year: u16,
}

impl TransitionRule {
    /// Reads a SYSTEMTIME; `None` when the month is 0 (no transition) or out of range.
    pub(crate) fn from_systemtime(raw: [u16; 8]) -> Option<Self> {
        let [year, month, weekday, day, hour, minute, _, _] = raw;
        if !(1..=12).contains(&month) {
            return None;
        }
        Some(Self {
            month,
            weekday,
            week: day,
            hour,
            minute,
            year,
        })
    }

    /// The local date and time of this transition in `year`.
    fn local_in(&self, year: i32) -> Option<NaiveDateTime> {
        let month = u32::from(self.month);
        let date = if self.year != 0 {
            if i32::from(self.year) != year {
                return None;
            }
            NaiveDate::from_ymd_opt(year, month, u32::from(self.week))?
        } else {
            let weekday = match self.weekday {
                0 => Weekday::Sun,
                1 => Weekday::Mon,
                2 => Weekday::Tue,
                3 => Weekday::Wed,
                4 => Weekday::Thu,
                5 => Weekday::Fri,
                6 => Weekday::Sat,
                _ => return None,
            };
            let week = self.week.clamp(1, 5);
            let first = NaiveDate::from_ymd_opt(year, month, 1)?;
            let shift =
                (7 + weekday.num_days_from_sunday() - first.weekday().num_days_from_sunday()) % 7;
            let mut day = 1 + shift + 7 * (u32::from(week) - 1);
            while NaiveDate::from_ymd_opt(year, month, day).is_none() {
                day -= 7;
            }
            NaiveDate::from_ymd_opt(year, month, day)?
        };
        date.and_hms_opt(
            u32::from(self.hour.min(23)),
            u32::from(self.minute.min(59)),
            0,
        )
    }
}

/// The time zone of the machine that recorded the trace (`RTL_TIME_ZONE_INFORMATION` in the log
/// header). Biases are in minutes, UTC = local + bias, as Windows defines them.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct TimeZone {
    /// Base bias in minutes (480 for Pacific time: UTC = local + 8 h).
    pub bias_minutes: i32,
    /// Name of standard time, often a resource reference such as `@tzres.dll,-212`.
    pub standard_name: String,
    /// Extra bias during standard time (usually 0).
    pub standard_bias_minutes: i32,
    /// When standard time begins, if the zone observes daylight time.
    pub standard_start: Option<TransitionRule>,
    /// Name of daylight time, e.g. `@tzres.dll,-211`.
    pub daylight_name: String,
    /// Extra bias during daylight time (usually −60).
    pub daylight_bias_minutes: i32,
    /// When daylight time begins, if the zone observes it.
    pub daylight_start: Option<TransitionRule>,
}

impl TimeZone {
    /// The recording machine's offset from UTC at `utc`, in minutes (local = UTC + offset; −420
    /// for Pacific daylight time). Follows the zone's recurring daylight-saving rule.
    pub fn utc_offset_minutes_at(&self, utc: NaiveDateTime) -> i32 {
        if self.is_daylight_at(utc) {
            -(self.bias_minutes + self.daylight_bias_minutes)
        } else {
            -(self.bias_minutes + self.standard_bias_minutes)
        }
    }

    /// `utc` in the recording machine's local time.
    pub fn to_local(&self, utc: NaiveDateTime) -> NaiveDateTime {
        let offset = TimeDelta::minutes(i64::from(self.utc_offset_minutes_at(utc)));
        utc.checked_add_signed(offset).unwrap_or(utc)
    }

    fn is_daylight_at(&self, utc: NaiveDateTime) -> bool {
        let (Some(dst), Some(std)) = (self.daylight_start, self.standard_start) else {
            return false;
        };
        let year = utc.year();
        // Daylight time starts at a standard-time wall clock; standard time starts at a
        // daylight-time wall clock. Convert both to UTC.
        let to_utc = |local: NaiveDateTime, extra: i32| {
            local.checked_add_signed(TimeDelta::minutes(i64::from(self.bias_minutes + extra)))
        };
        let Some(dst_utc) = dst
            .local_in(year)
            .and_then(|t| to_utc(t, self.standard_bias_minutes))
        else {
            return false;
        };
        let Some(std_utc) = std
            .local_in(year)
            .and_then(|t| to_utc(t, self.daylight_bias_minutes))
        else {
            return false;
        };
        if dst_utc < std_utc {
            dst_utc <= utc && utc < std_utc // northern hemisphere
        } else {
            utc < std_utc || dst_utc <= utc // southern hemisphere: daylight spans the new year
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S%.f").unwrap()
    }

    #[test]
    fn filetime_round_trip() {
        let t = filetime_to_utc(134_044_310_069_403_716).unwrap();
        assert_eq!(t, at("2025-10-08 21:03:26.9403716"));
        assert_eq!(utc_to_filetime(t), 134_044_310_069_403_716);
        assert_eq!(filetime_to_utc(0), Some(FILETIME_EPOCH));
        assert_eq!(filetime_to_utc(-1), None);
        assert!(filetime_to_utc(i64::MAX).is_some());
    }

    #[test]
    fn clocks() {
        let qpc = Clock {
            kind: ClockType::PerformanceCounter,
            start_filetime: 1_000_000_000,
            start_raw: 500,
            frequency: 3_000_000,
            cpu_mhz: 0,
        };
        assert_eq!(qpc.filetime(500), Some(1_000_000_000));
        assert_eq!(qpc.filetime(3_000_500), Some(1_010_000_000));
        assert_eq!(qpc.filetime(i64::MIN), None);
        let sys = Clock {
            kind: ClockType::SystemTime,
            ..qpc
        };
        assert_eq!(sys.filetime(42), Some(42));
        let cycles = Clock {
            kind: ClockType::CpuCycles,
            cpu_mhz: 2000,
            ..qpc
        };
        assert_eq!(
            cycles.filetime(500 + 2_000_000_000),
            Some(1_000_000_000 + 10_000_000)
        );
        let broken = Clock {
            frequency: 0,
            ..qpc
        };
        assert_eq!(broken.filetime(1), None);
    }

    fn us_pacific() -> TimeZone {
        TimeZone {
            bias_minutes: 480,
            daylight_bias_minutes: -60,
            standard_start: TransitionRule::from_systemtime([0, 11, 0, 1, 2, 0, 0, 0]),
            daylight_start: TransitionRule::from_systemtime([0, 3, 0, 2, 2, 0, 0, 0]),
            ..TimeZone::default()
        }
    }

    #[test]
    fn daylight_rules() {
        let tz = us_pacific();
        // 2025: daylight time from 9 March 10:00 UTC to 2 November 09:00 UTC.
        assert_eq!(tz.utc_offset_minutes_at(at("2025-10-08 21:02:45.0")), -420);
        assert_eq!(tz.utc_offset_minutes_at(at("2025-12-01 00:00:00.0")), -480);
        assert_eq!(tz.utc_offset_minutes_at(at("2025-03-09 09:59:59.0")), -480);
        assert_eq!(tz.utc_offset_minutes_at(at("2025-03-09 10:00:00.0")), -420);
        assert_eq!(tz.utc_offset_minutes_at(at("2025-11-02 08:59:59.0")), -420);
        assert_eq!(tz.utc_offset_minutes_at(at("2025-11-02 09:00:00.0")), -480);
        assert_eq!(
            tz.to_local(at("2025-10-08 21:02:45.0")),
            at("2025-10-08 14:02:45.0")
        );
        // Southern hemisphere (Sydney: bias −600, daylight from the first Sunday of October to
        // the first Sunday of April).
        let syd = TimeZone {
            bias_minutes: -600,
            daylight_bias_minutes: -60,
            standard_start: TransitionRule::from_systemtime([0, 4, 0, 1, 3, 0, 0, 0]),
            daylight_start: TransitionRule::from_systemtime([0, 10, 0, 1, 2, 0, 0, 0]),
            ..TimeZone::default()
        };
        assert_eq!(syd.utc_offset_minutes_at(at("2025-01-15 00:00:00.0")), 660);
        assert_eq!(syd.utc_offset_minutes_at(at("2025-07-15 00:00:00.0")), 600);
        // Week 5 means the last such weekday: the last Sunday of March 2025 is the 30th.
        let last = TransitionRule::from_systemtime([0, 3, 0, 5, 1, 0, 0, 0]).unwrap();
        assert_eq!(last.local_in(2025), Some(at("2025-03-30 01:00:00.0")));
        // No rules: the base bias only.
        let plain = TimeZone {
            bias_minutes: -60,
            ..TimeZone::default()
        };
        assert_eq!(plain.utc_offset_minutes_at(at("2025-07-01 00:00:00.0")), 60);
    }
}
