//! The core's own timestamp types.
//!
//! FTP carries times in three shapes: the `YYYYMMDDHHMMSS[.sss]` of MDTM, MFMT and the MLSD
//! `modify` fact (always UTC, RFC 3659 2.3), the `Mon DD HH:MM` or `Mon DD  YYYY` of a Unix
//! `LIST` line (no year for recent files, and in the server's local time), and the DOS
//! `MM-DD-YY HH:MMAM` of IIS. [`Timestamp`] holds a complete, validated calendar time;
//! [`ListTimestamp`] holds what a listing line gave, which may lack a year until the caller
//! resolves it against a "now" of its own (the core reads no clock).

use core::fmt;

/// A validated calendar date and time of day, in UTC when it comes from MDTM or MLSD.
///
/// Every value is range-checked on construction (month 1-12, a day that exists in that month,
/// hour 0-23, minute 0-59, second 0-60 to allow a leap second, nanosecond below 10^9).
///
/// ```
/// use ftp_proto::Timestamp;
/// let t = Timestamp::new(2025, 6, 15, 8, 30, 0, 0).unwrap();
/// assert_eq!(t.to_string(), "20250615083000");
/// assert!(Timestamp::new(2025, 2, 29, 0, 0, 0, 0).is_none()); // not a leap year
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp {
    year: u16,
    month: u8,
    day: u8,
    hour: u8,
    minute: u8,
    second: u8,
    nanosecond: u32,
}

/// Whether `year` is a leap year in the proleptic Gregorian calendar.
const fn is_leap(year: u16) -> bool {
    (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400)
}

/// The number of days in `month` (1-12) of `year`.
const fn days_in_month(year: u16, month: u8) -> u8 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(year) => 29,
        2 => 28,
        _ => 0,
    }
}

impl Timestamp {
    /// Builds a timestamp, or `None` if any field is out of range.
    pub const fn new(
        year: u16,
        month: u8,
        day: u8,
        hour: u8,
        minute: u8,
        second: u8,
        nanosecond: u32,
    ) -> Option<Self> {
        if month == 0
            || month > 12
            || day == 0
            || day > days_in_month(year, month)
            || hour > 23
            || minute > 59
            || second > 60
            || nanosecond >= 1_000_000_000
        {
            return None;
        }
        Some(Self {
            year,
            month,
            day,
            hour,
            minute,
            second,
            nanosecond,
        })
    }

    /// The year, e.g. `2025`.
    pub const fn year(&self) -> u16 {
        self.year
    }
    /// The month, 1 to 12.
    pub const fn month(&self) -> u8 {
        self.month
    }
    /// The day of the month, 1 to 31.
    pub const fn day(&self) -> u8 {
        self.day
    }
    /// The hour, 0 to 23.
    pub const fn hour(&self) -> u8 {
        self.hour
    }
    /// The minute, 0 to 59.
    pub const fn minute(&self) -> u8 {
        self.minute
    }
    /// The second, 0 to 60 (60 only for a leap second).
    pub const fn second(&self) -> u8 {
        self.second
    }
    /// The fraction of the second, in nanoseconds.
    pub const fn nanosecond(&self) -> u32 {
        self.nanosecond
    }

    /// Days since 1970-01-01 of this date (negative before it).
    fn days_since_epoch(&self) -> i64 {
        // Howard Hinnant's days_from_civil.
        let y = i64::from(self.year) - i64::from(self.month <= 2);
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let m = i64::from(self.month);
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(self.day) - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    /// Seconds since the Unix epoch, reading this timestamp as UTC.
    ///
    /// ```
    /// use ftp_proto::Timestamp;
    /// assert_eq!(Timestamp::new(1970, 1, 2, 0, 0, 0, 0).unwrap().unix_seconds(), 86_400);
    /// ```
    pub fn unix_seconds(&self) -> i64 {
        self.days_since_epoch() * 86_400
            + i64::from(self.hour) * 3600
            + i64::from(self.minute) * 60
            + i64::from(self.second)
    }

    /// Builds the UTC timestamp for a count of seconds (and nanoseconds) since the Unix epoch,
    /// or `None` outside the years 0 to 65535.
    ///
    /// ```
    /// use ftp_proto::Timestamp;
    /// let t = Timestamp::from_unix(1_750_000_000, 0).unwrap();
    /// assert_eq!(t.unix_seconds(), 1_750_000_000);
    /// ```
    pub fn from_unix(seconds: i64, nanosecond: u32) -> Option<Self> {
        let days = seconds.div_euclid(86_400);
        let secs = seconds.rem_euclid(86_400);
        // Howard Hinnant's civil_from_days.
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = doy - (153 * mp + 2) / 5 + 1;
        let month = if mp < 10 { mp + 3 } else { mp - 9 };
        let year = yoe + era * 400 + i64::from(month <= 2);
        let year = u16::try_from(year).ok()?;
        Self::new(
            year,
            month as u8,
            day as u8,
            (secs / 3600) as u8,
            (secs % 3600 / 60) as u8,
            (secs % 60) as u8,
            nanosecond,
        )
    }

    /// This timestamp as a [`std::time::SystemTime`], reading it as UTC.
    ///
    /// ```
    /// use ftp_proto::Timestamp;
    /// use std::time::{Duration, UNIX_EPOCH};
    /// let t = Timestamp::new(1970, 1, 1, 0, 0, 1, 500_000_000).unwrap();
    /// assert_eq!(t.to_system_time(), UNIX_EPOCH + Duration::from_millis(1500));
    /// ```
    pub fn to_system_time(&self) -> std::time::SystemTime {
        use std::time::{Duration, UNIX_EPOCH};
        let secs = self.unix_seconds();
        let nanos = Duration::from_nanos(u64::from(self.nanosecond));
        if secs >= 0 {
            UNIX_EPOCH + Duration::from_secs(secs.unsigned_abs()) + nanos
        } else {
            UNIX_EPOCH - Duration::from_secs(secs.unsigned_abs()) + nanos
        }
    }

    /// The UTC timestamp of a [`std::time::SystemTime`], or `None` outside the years 0 to 65535.
    pub fn from_system_time(time: std::time::SystemTime) -> Option<Self> {
        use std::time::UNIX_EPOCH;
        match time.duration_since(UNIX_EPOCH) {
            Ok(d) => Self::from_unix(i64::try_from(d.as_secs()).ok()?, d.subsec_nanos()),
            Err(e) => {
                let d = e.duration();
                let mut secs = -i64::try_from(d.as_secs()).ok()?;
                let mut nanos = d.subsec_nanos();
                if nanos > 0 {
                    secs -= 1;
                    nanos = 1_000_000_000 - nanos;
                }
                Self::from_unix(secs, nanos)
            }
        }
    }
}

/// Formats as `YYYYMMDDHHMMSS`, with `.` and the fraction (trailing zeros removed) when the
/// nanosecond is not zero: the form MDTM replies and MFMT arguments use (RFC 3659 2.3).
impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:04}{:02}{:02}{:02}{:02}{:02}",
            self.year, self.month, self.day, self.hour, self.minute, self.second
        )?;
        if self.nanosecond != 0 {
            let mut frac = format!("{:09}", self.nanosecond);
            while frac.ends_with('0') {
                frac.pop();
            }
            write!(f, ".{frac}")?;
        }
        Ok(())
    }
}

/// A time read from a directory listing line, which may lack the year.
///
/// Unix `ls -l` prints `Nov 22 05:05` for files modified in the last six months and
/// `Jun 15  2025` for older ones. The first form has no year: [`ListTimestamp::resolve`]
/// supplies it from a "now" the caller passes, choosing the most recent year that does not put
/// the time more than a day in the future (the `ls` rule, with a day of slack for time zones).
///
/// ```
/// use ftp_proto::{ListTimestamp, Timestamp};
/// let now = Timestamp::new(2026, 11, 22, 5, 34, 0, 0).unwrap();
/// let recent = ListTimestamp::YearLess { month: 11, day: 22, hour: 5, minute: 5 };
/// assert_eq!(recent.resolve(now).unwrap().year(), 2026);
/// let december = ListTimestamp::YearLess { month: 12, day: 24, hour: 9, minute: 0 };
/// assert_eq!(december.resolve(now).unwrap().year(), 2025);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ListTimestamp {
    /// A complete timestamp (a year was given, or the format always has one).
    Full(Timestamp),
    /// Month, day, hour and minute, without a year.
    YearLess {
        /// Month, 1 to 12.
        month: u8,
        /// Day of the month, 1 to 31.
        day: u8,
        /// Hour, 0 to 23.
        hour: u8,
        /// Minute, 0 to 59.
        minute: u8,
    },
}

impl ListTimestamp {
    /// The complete timestamp, picking the year for a year-less one relative to `now`;
    /// `None` if no year makes the date valid (February 29 near no leap year).
    pub fn resolve(&self, now: Timestamp) -> Option<Timestamp> {
        match *self {
            ListTimestamp::Full(t) => Some(t),
            ListTimestamp::YearLess {
                month,
                day,
                hour,
                minute,
            } => {
                let limit = now.unix_seconds() + 86_400;
                // Try this year, then earlier ones (up to 8 back covers any Feb 29).
                (0..8u16)
                    .filter_map(|back| now.year.checked_sub(back))
                    .find_map(|year| {
                        let t = Timestamp::new(year, month, day, hour, minute, 0, 0)?;
                        (t.unix_seconds() <= limit).then_some(t)
                    })
            }
        }
    }

    /// The complete timestamp if the listing gave a year, else `None`.
    pub fn full(&self) -> Option<Timestamp> {
        match *self {
            ListTimestamp::Full(t) => Some(t),
            ListTimestamp::YearLess { .. } => None,
        }
    }
}

/// Parsing of the RFC 3659 time-val, kept apart from the type's core methods.
impl Timestamp {
    /// Parses `YYYYMMDDHHMMSS[.F...]` (RFC 3659 2.3 `time-val`: MDTM replies, the MLSD
    /// `modify` and `create` facts), with one to nine fraction digits; further digits are
    /// ignored. `None` for anything else or an impossible date.
    ///
    /// ```
    /// use ftp_proto::Timestamp;
    /// let t = Timestamp::parse_rfc3659(b"20261122050528.125").unwrap();
    /// assert_eq!((t.year(), t.second(), t.nanosecond()), (2026, 28, 125_000_000));
    /// assert!(Timestamp::parse_rfc3659(b"20261322050528").is_none());
    /// ```
    pub fn parse_rfc3659(text: &[u8]) -> Option<Self> {
        let (main, fraction) = match text.len() {
            14 => (text, &b""[..]),
            15.. if text[14] == b'.' && text.len() > 15 => (&text[..14], &text[15..]),
            _ => return None,
        };
        if !main.iter().chain(fraction).all(u8::is_ascii_digit) {
            return None;
        }
        let num = |r: core::ops::Range<usize>| {
            main[r]
                .iter()
                .fold(0u32, |a, &b| a * 10 + u32::from(b - b'0'))
        };
        let mut nanos = 0u32;
        for i in 0..9 {
            nanos = nanos * 10 + fraction.get(i).map_or(0, |&b| u32::from(b - b'0'));
        }
        Self::new(
            num(0..4) as u16,
            num(4..6) as u8,
            num(6..8) as u8,
            num(8..10) as u8,
            num(10..12) as u8,
            num(12..14) as u8,
            nanos,
        )
    }
}

/// A conversion between [`Timestamp`] and another time type failed: the value is outside the
/// range the target type can hold (years 0 to 65535 for [`Timestamp`]; a leap second for a type
/// without them).
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("time out of the range of the target type")]
pub struct TimestampRangeError;

#[cfg(feature = "chrono")]
mod chrono_conv {
    use super::{Timestamp, TimestampRangeError};
    use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, NaiveTime, Timelike, Utc};

    /// The same calendar time; a leap second becomes chrono's second 59 with a nanosecond of
    /// one second or more, as chrono represents it.
    ///
    /// ```
    /// # #[cfg(feature = "chrono")] {
    /// use ftp_proto::Timestamp;
    /// let t = Timestamp::new(2026, 11, 22, 5, 5, 28, 5).unwrap();
    /// let n = chrono::NaiveDateTime::from(t);
    /// assert_eq!(n.to_string(), "2026-11-22 05:05:28.000000005");
    /// assert_eq!(Timestamp::try_from(n), Ok(t));
    /// # }
    /// ```
    impl From<Timestamp> for NaiveDateTime {
        fn from(t: Timestamp) -> Self {
            let (second, nano) = if t.second() == 60 {
                (59, 1_000_000_000 + t.nanosecond())
            } else {
                (t.second(), t.nanosecond())
            };
            // Every field was range-checked when the Timestamp was built, and chrono's years
            // reach beyond 65535.
            let date = NaiveDate::from_ymd_opt(
                i32::from(t.year()),
                u32::from(t.month()),
                u32::from(t.day()),
            )
            .unwrap_or(NaiveDate::MIN);
            let time = NaiveTime::from_hms_nano_opt(
                u32::from(t.hour()),
                u32::from(t.minute()),
                u32::from(second),
                nano,
            )
            .unwrap_or(NaiveTime::MIN);
            NaiveDateTime::new(date, time)
        }
    }

    /// The same instant, reading the timestamp as UTC (as MDTM and MLSD times are).
    impl From<Timestamp> for DateTime<Utc> {
        fn from(t: Timestamp) -> Self {
            NaiveDateTime::from(t).and_utc()
        }
    }

    /// Fails for a year outside 0 to 65535.
    impl TryFrom<NaiveDateTime> for Timestamp {
        type Error = TimestampRangeError;
        fn try_from(n: NaiveDateTime) -> Result<Self, Self::Error> {
            let year = u16::try_from(n.year()).map_err(|_| TimestampRangeError)?;
            let (second, nano) = if n.nanosecond() >= 1_000_000_000 {
                (60, n.nanosecond() - 1_000_000_000)
            } else {
                (n.second(), n.nanosecond())
            };
            Timestamp::new(
                year,
                n.month() as u8,
                n.day() as u8,
                n.hour() as u8,
                n.minute() as u8,
                second as u8,
                nano,
            )
            .ok_or(TimestampRangeError)
        }
    }

    /// The UTC calendar time of the instant; fails for a year outside 0 to 65535.
    impl TryFrom<DateTime<Utc>> for Timestamp {
        type Error = TimestampRangeError;
        fn try_from(d: DateTime<Utc>) -> Result<Self, Self::Error> {
            Timestamp::try_from(d.naive_utc())
        }
    }
}

#[cfg(feature = "time")]
mod time_conv {
    use super::{Timestamp, TimestampRangeError};
    use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time};

    /// Fails for a year the `time` crate cannot hold (above 9999 without its `large-dates`
    /// feature) and for a leap second, which `time` does not represent.
    ///
    /// ```
    /// # #[cfg(feature = "time")] {
    /// use ftp_proto::Timestamp;
    /// let t = Timestamp::new(2025, 6, 15, 8, 30, 0, 0).unwrap();
    /// let p = time::PrimitiveDateTime::try_from(t).unwrap();
    /// assert_eq!((p.year(), p.hour(), p.minute()), (2025, 8, 30));
    /// assert_eq!(Timestamp::try_from(p), Ok(t));
    /// # }
    /// ```
    impl TryFrom<Timestamp> for PrimitiveDateTime {
        type Error = TimestampRangeError;
        fn try_from(t: Timestamp) -> Result<Self, Self::Error> {
            let month = Month::try_from(t.month()).map_err(|_| TimestampRangeError)?;
            let date = Date::from_calendar_date(i32::from(t.year()), month, t.day())
                .map_err(|_| TimestampRangeError)?;
            let time = Time::from_hms_nano(t.hour(), t.minute(), t.second(), t.nanosecond())
                .map_err(|_| TimestampRangeError)?;
            Ok(PrimitiveDateTime::new(date, time))
        }
    }

    /// The instant, reading the timestamp as UTC; fails as the `PrimitiveDateTime` conversion.
    impl TryFrom<Timestamp> for OffsetDateTime {
        type Error = TimestampRangeError;
        fn try_from(t: Timestamp) -> Result<Self, Self::Error> {
            Ok(PrimitiveDateTime::try_from(t)?.assume_utc())
        }
    }

    /// Fails for a year outside 0 to 65535.
    impl TryFrom<PrimitiveDateTime> for Timestamp {
        type Error = TimestampRangeError;
        fn try_from(p: PrimitiveDateTime) -> Result<Self, Self::Error> {
            let year = u16::try_from(p.year()).map_err(|_| TimestampRangeError)?;
            Timestamp::new(
                year,
                u8::from(p.month()),
                p.day(),
                p.hour(),
                p.minute(),
                p.second(),
                p.nanosecond(),
            )
            .ok_or(TimestampRangeError)
        }
    }

    /// The UTC calendar time of the instant; fails for a year outside 0 to 65535.
    impl TryFrom<OffsetDateTime> for Timestamp {
        type Error = TimestampRangeError;
        fn try_from(o: OffsetDateTime) -> Result<Self, Self::Error> {
            let utc = o
                .checked_to_offset(time::UtcOffset::UTC)
                .ok_or(TimestampRangeError)?;
            Timestamp::try_from(PrimitiveDateTime::new(utc.date(), utc.time()))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unix_round_trip_over_wide_range() {
        for secs in [
            -86_401_i64,
            -1,
            0,
            1,
            951_782_400,
            1_700_000_000,
            4_102_444_800,
            253_402_300_799,
        ] {
            let t = Timestamp::from_unix(secs, 0).unwrap();
            assert_eq!(t.unix_seconds(), secs, "{t}");
        }
    }

    #[test]
    fn leap_day_accepted_only_in_leap_years() {
        assert!(Timestamp::new(2024, 2, 29, 0, 0, 0, 0).is_some());
        assert!(Timestamp::new(2000, 2, 29, 0, 0, 0, 0).is_some());
        assert!(Timestamp::new(1900, 2, 29, 0, 0, 0, 0).is_none());
    }

    #[test]
    fn out_of_range_fields_refused() {
        assert!(Timestamp::new(2025, 13, 1, 0, 0, 0, 0).is_none());
        assert!(Timestamp::new(2025, 4, 31, 0, 0, 0, 0).is_none());
        assert!(Timestamp::new(2025, 1, 1, 24, 0, 0, 0).is_none());
        assert!(Timestamp::new(2025, 1, 1, 0, 60, 0, 0).is_none());
        assert!(Timestamp::new(2025, 1, 1, 0, 0, 61, 0).is_none());
        assert!(Timestamp::new(2025, 1, 1, 0, 0, 0, 1_000_000_000).is_none());
    }

    #[test]
    fn display_trims_fraction() {
        let t = Timestamp::new(2026, 11, 22, 5, 5, 0, 120_000_000).unwrap();
        assert_eq!(t.to_string(), "20261122050500.12");
    }

    #[test]
    fn year_less_feb_29_resolves_to_last_leap_year() {
        let now = Timestamp::new(2026, 11, 22, 0, 0, 0, 0).unwrap();
        let t = ListTimestamp::YearLess {
            month: 2,
            day: 29,
            hour: 0,
            minute: 0,
        };
        assert_eq!(t.resolve(now).unwrap().year(), 2024);
    }

    #[test]
    fn system_time_before_epoch_round_trips() {
        let t = Timestamp::new(1969, 12, 31, 23, 59, 59, 250_000_000).unwrap();
        assert_eq!(Timestamp::from_system_time(t.to_system_time()), Some(t));
    }

    #[test]
    fn rfc3659_time_val_whole_seconds() {
        let t = Timestamp::parse_rfc3659(b"20250615083000").unwrap();
        assert_eq!(t, Timestamp::new(2025, 6, 15, 8, 30, 0, 0).unwrap());
    }

    #[test]
    fn rfc3659_time_val_fractions_of_every_length() {
        let cases: [(&[u8], u32); 4] = [
            (b"20261122050528.1", 100_000_000),
            (b"20261122050528.123", 123_000_000),
            (b"20261122050528.123456789", 123_456_789),
            (b"20261122050528.1234567891", 123_456_789),
        ];
        for (text, nanos) in cases {
            assert_eq!(
                Timestamp::parse_rfc3659(text).unwrap().nanosecond(),
                nanos,
                "{text:?}"
            );
        }
    }

    #[test]
    fn rfc3659_time_val_leap_second_accepted() {
        assert_eq!(
            Timestamp::parse_rfc3659(b"20161231235960")
                .unwrap()
                .second(),
            60
        );
    }

    #[test]
    fn rfc3659_time_val_malformed_refused() {
        for text in [
            &b""[..],
            b"2025061508300",
            b"202506150830000",
            b"20250615083000.",
            b"20250615083000.x",
            b"2025061508300a",
            b"+2025061508300",
            b"20250230083000",
            b"20250615243000",
            b"20250615083000 ",
        ] {
            assert_eq!(Timestamp::parse_rfc3659(text), None, "{text:?}");
        }
    }

    #[test]
    fn rfc3659_round_trips_through_display() {
        for text in [
            "20261122050528",
            "20261122050528.5",
            "00010101000000.000000001",
            "99991231235959.999",
        ] {
            assert_eq!(
                Timestamp::parse_rfc3659(text.as_bytes())
                    .unwrap()
                    .to_string(),
                text
            );
        }
    }

    #[cfg(feature = "chrono")]
    mod chrono_conversions {
        use super::super::{Timestamp, TimestampRangeError};
        use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};

        #[test]
        fn to_and_from_naive_date_time() {
            let t = Timestamp::new(2025, 6, 15, 8, 30, 12, 345_000_000).unwrap();
            let n = NaiveDateTime::from(t);
            let expected = NaiveDate::from_ymd_opt(2025, 6, 15)
                .unwrap()
                .and_hms_milli_opt(8, 30, 12, 345)
                .unwrap();
            assert_eq!(n, expected);
            assert_eq!(Timestamp::try_from(n), Ok(t));
        }

        #[test]
        fn utc_instant_matches_unix_seconds() {
            let t = Timestamp::new(2026, 11, 22, 5, 5, 28, 0).unwrap();
            let d = DateTime::<Utc>::from(t);
            assert_eq!(d.timestamp(), t.unix_seconds());
            assert_eq!(Timestamp::try_from(d), Ok(t));
        }

        #[test]
        fn leap_second_kept_as_chrono_leap_nanoseconds() {
            let t = Timestamp::new(2016, 12, 31, 23, 59, 60, 250).unwrap();
            let n = NaiveDateTime::from(t);
            assert_eq!(chrono::Timelike::second(&n), 59);
            assert_eq!(chrono::Timelike::nanosecond(&n), 1_000_000_250);
            assert_eq!(Timestamp::try_from(n), Ok(t));
        }

        #[test]
        fn years_outside_the_range_refused() {
            let before_year_0 = NaiveDate::from_ymd_opt(-1, 1, 1)
                .unwrap()
                .and_hms_opt(0, 0, 0)
                .unwrap();
            assert_eq!(Timestamp::try_from(before_year_0), Err(TimestampRangeError));
            let after = NaiveDate::from_ymd_opt(65_536, 1, 1)
                .unwrap()
                .and_hms_opt(0, 0, 0)
                .unwrap();
            assert_eq!(Timestamp::try_from(after), Err(TimestampRangeError));
            let last = Timestamp::new(65_535, 12, 31, 23, 59, 59, 0).unwrap();
            assert_eq!(Timestamp::try_from(NaiveDateTime::from(last)), Ok(last));
        }
    }

    #[cfg(feature = "time")]
    mod time_conversions {
        use super::super::{Timestamp, TimestampRangeError};
        use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time, UtcOffset};

        #[test]
        fn to_and_from_primitive_date_time() {
            let t = Timestamp::new(2025, 6, 15, 8, 30, 12, 345_000_000).unwrap();
            let p = PrimitiveDateTime::try_from(t).unwrap();
            let expected = PrimitiveDateTime::new(
                Date::from_calendar_date(2025, Month::June, 15).unwrap(),
                Time::from_hms_milli(8, 30, 12, 345).unwrap(),
            );
            assert_eq!(p, expected);
            assert_eq!(Timestamp::try_from(p), Ok(t));
        }

        #[test]
        fn offset_date_time_is_utc_and_converted_back_to_utc() {
            let t = Timestamp::new(2026, 11, 22, 5, 5, 28, 0).unwrap();
            let o = OffsetDateTime::try_from(t).unwrap();
            assert_eq!(o.unix_timestamp(), t.unix_seconds());
            assert_eq!(o.offset(), UtcOffset::UTC);
            let in_paris = o.to_offset(UtcOffset::from_hms(1, 0, 0).unwrap());
            assert_eq!(in_paris.hour(), 6);
            assert_eq!(Timestamp::try_from(in_paris), Ok(t));
        }

        #[test]
        fn leap_second_and_far_years_refused() {
            let leap = Timestamp::new(2016, 12, 31, 23, 59, 60, 0).unwrap();
            assert_eq!(PrimitiveDateTime::try_from(leap), Err(TimestampRangeError));
            let far = Timestamp::new(10_000, 1, 1, 0, 0, 0, 0).unwrap();
            assert_eq!(OffsetDateTime::try_from(far), Err(TimestampRangeError));
        }

        #[test]
        fn negative_years_refused() {
            let p = PrimitiveDateTime::new(
                Date::from_calendar_date(-5, Month::January, 1).unwrap(),
                Time::MIDNIGHT,
            );
            assert_eq!(Timestamp::try_from(p), Err(TimestampRangeError));
        }
    }
}
