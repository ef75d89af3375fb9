//! `output syslog`: RFC 3164 messages, `<PRI>Mon dd hh:mm:ss tag[pid]: msg`,
//! the tag being the script's name.
//!
//! No host name: like syslog(3), which writes to the local socket without
//! one, so the local daemon adds its own; rsyslog would otherwise take the
//! host name for the tag.
//!
//! The facility is `user` (1); the severity is the script's `level`
//! (`emergency` 0 … `debug` 7; a script with no level is `notice`). The
//! interpreter hands a [`pikt_runtime::host::SyslogMessage`] to the sinks;
//! [`crate::StdSinks`] formats it here and writes it to the `/dev/log`
//! socket.

use jiff::tz::TimeZone;
use jiff::Timestamp;
use pikt_lang::ast::Level;

/// The `user` facility.
const FACILITY_USER: u8 = 1;

/// The syslog severity of a script level.
pub fn severity(level: Level) -> u8 {
    match level {
        Level::Emergency => 0,
        Level::Urgent => 1,
        Level::Critical => 2,
        Level::Error => 3,
        Level::Warning => 4,
        Level::Notice => 5,
        Level::Info => 6,
        Level::Debug => 7,
    }
}

/// One RFC 3164 datagram for the local socket, tagged `tag[pid]`.
pub fn format_datagram(
    level: Level,
    seconds: i64,
    zone: &TimeZone,
    tag: &str,
    pid: u32,
    message: &str,
) -> String {
    let pri = FACILITY_USER * 8 + severity(level);
    let stamp = Timestamp::from_second(seconds).map_or_else(
        |_| "Jan  1 00:00:00".to_string(),
        |ts| {
            ts.to_zoned(zone.clone())
                .strftime("%b %e %H:%M:%S")
                .to_string()
        },
    );
    // A newline would end the record early; controls would reach terminals.
    let message = pikt_source::visible::escape_line(message);
    // A tag is one word of printable characters (RFC 3164 §4.1.3).
    let tag: String = tag
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() && c != '[' && c != ':' {
                c
            } else {
                '_'
            }
        })
        .take(32)
        .collect();
    format!("<{pri}>{stamp} {tag}[{pid}]: {message}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn priority_comes_from_the_level() {
        assert_eq!(
            format_datagram(
                Level::Emergency,
                956_621_822,
                &TimeZone::UTC,
                "ProcCountsChk",
                42,
                "404 chico imapd"
            ),
            "<8>Apr 25 00:17:02 ProcCountsChk[42]: 404 chico imapd"
        );
        assert_eq!(
            format_datagram(Level::Notice, 0, &TimeZone::UTC, "a b:[c", 1, "a\nb\r\x1b"),
            "<13>Jan  1 00:00:00 a_b__c[1]: a\\x0ab\\x0d\\x1b"
        );
    }
}
