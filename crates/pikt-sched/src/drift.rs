//! Drift: a start delay that spreads the same alert over many hosts.
//!
//! A `piktd.conf` line may carry a drift of `d` minutes. PIKT's own wording
//! is only "drift"; we read it as "delay the start by up to `d` minutes so
//! that a whole site does not run the same alert in the same second" (the
//! reference's proposal, §1.7).
//!
//! **Decision: the delay is fixed per host and alert, not drawn anew each
//! run.** It is `hash(host, alert) mod (d·60 + 1)` seconds, i.e. somewhere in
//! `[0, d]` minutes counted from the start of the minute the run is due. So:
//!
//! * across hosts the runs are spread evenly over the drift window;
//! * on one host an alert keeps a steady period (every 5 minutes stays every
//!   5 minutes, always at the same offset), which keeps history-based alarms
//!   (`%` rates, "changed since last run") meaningful;
//! * the delay is reproducible: the log and tests can predict it.
//!
//! The hash is 64-bit FNV-1a, written out here so that the delay does not
//! change with the Rust version (std's hasher makes no such promise).
//!
//! A delayed run that is still waiting when the line is due again counts as
//! "still going": the new run is skipped and logged, as for an overlap.

use std::time::Duration;

/// The start delay for `key` (the alert name) on host `host` with a drift of
/// `drift_minutes`: a whole number of seconds in `[0, drift_minutes·60]`.
pub fn delay(host: &str, key: &str, drift_minutes: u32) -> Duration {
    if drift_minutes == 0 {
        return Duration::ZERO;
    }
    let window = u64::from(drift_minutes) * 60 + 1;
    Duration::from_secs(fnv1a(host, key) % window)
}

fn fnv1a(host: &str, key: &str) -> u64 {
    const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0100_0000_01b3;
    let bytes = host.bytes().chain(std::iter::once(0)).chain(key.bytes());
    bytes.fold(OFFSET, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(PRIME)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_drift_no_delay() {
        assert_eq!(delay("host", "Urgent", 0), Duration::ZERO);
    }

    #[test]
    fn delay_is_stable_and_pinned() {
        // Pinned so that a change of hash (and so of every host's timing) is
        // a visible decision.
        assert_eq!(
            fnv1a("", ""),
            0xaf63_bd4c_8601_b7df,
            "FNV-1a of one NUL byte"
        );
        assert_eq!(delay("web1", "Urgent", 5), Duration::from_secs(147));
    }

    #[test]
    fn delay_stays_within_the_window() {
        for host in 0..200 {
            let d = delay(&format!("host{host}"), "Warning", 3);
            assert!(d <= Duration::from_secs(180), "{d:?}");
        }
    }

    #[test]
    fn hosts_spread_over_the_window() {
        // 200 hosts, 10-minute drift: the delays should fill all ten minutes.
        let mut minutes_used = [false; 11];
        for host in 0..200 {
            let d = delay(&format!("host{host}.example.com"), "Critical", 10);
            let minute = usize::try_from(d.as_secs() / 60).unwrap_or(10);
            if let Some(slot) = minutes_used.get_mut(minute) {
                *slot = true;
            }
        }
        assert!(
            minutes_used[..10].iter().all(|&used| used),
            "{minutes_used:?}"
        );
    }

    #[test]
    fn host_and_alert_are_not_confused() {
        assert_ne!(fnv1a("ab", "c"), fnv1a("a", "bc"));
    }
}
