//! What one script may use: statements and loop iterations, time,
//! processor time, memory held in variables, output ([`Limits`]).
//!
//! The checks are counters, so they cost next to nothing where they run
//! (every statement, every loop iteration, every input line, every store
//! into a variable, every output): the clocks are read only every
//! [`Limits::CHECK_EVERY`] counts. Memory is the bytes of text held in
//! variables plus a fixed cost per array element, charged when a value is
//! stored and given back when it is replaced or removed; a string being
//! built may not grow past the same limit.

use std::time::{Duration, Instant};

use crate::config::Limits;

/// Bytes charged per array element besides its key and value text: the
/// key and value themselves and the map's own entry and index.
pub(super) const ELEMENT_COST: usize = 64;

/// The limit a script went over.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Exceeded {
    Statements(u64),
    Time(Duration),
    Cpu(Duration),
    Memory(usize),
    Output(u64),
}

impl Exceeded {
    /// The limit, as the error names it.
    pub(super) fn describe(self) -> String {
        match self {
            Exceeded::Statements(n) => format!("the statement limit ({n})"),
            Exceeded::Time(d) => format!(
                "the time limit ({} s, PIKT.conf `script_time_limit`)",
                d.as_secs()
            ),
            Exceeded::Cpu(d) => format!(
                "the processor time limit ({} s, PIKT.conf `script_cpu_limit`)",
                d.as_secs()
            ),
            Exceeded::Memory(bytes) => format!(
                "the memory limit ({}, PIKT.conf `script_memory_limit`)",
                mebibytes(bytes as u64)
            ),
            Exceeded::Output(bytes) => format!(
                "the output limit ({}, PIKT.conf `script_output_limit`)",
                mebibytes(bytes)
            ),
        }
    }
}

/// `bytes` in MiB, or bytes when under one.
pub(super) fn mebibytes(bytes: u64) -> String {
    if bytes >= 1 << 20 {
        format!("{} MiB", bytes >> 20)
    } else {
        format!("{bytes} bytes")
    }
}

/// One script's counters.
#[derive(Debug)]
pub(super) struct Budget {
    limits: Limits,
    counted: u64,
    /// The count at which [`Budget::count`] next looks further: the next
    /// clock reading, or one past the statement limit.
    next_stop: u64,
    started: Instant,
    /// The process's processor time when the script started.
    cpu_start: Option<Duration>,
    memory: usize,
    output: u64,
}

impl Budget {
    /// A budget starting now; `cpu_now` is the process's processor time.
    pub(super) fn new(limits: Limits, cpu_now: Option<Duration>) -> Budget {
        Budget {
            next_stop: next_stop_after(0, limits.max_statements),
            limits,
            counted: 0,
            started: Instant::now(),
            cpu_start: cpu_now,
            memory: 0,
            output: 0,
        }
    }

    /// Counts a statement or loop iteration; true when the clocks are due
    /// to be read ([`Budget::check_time`]). Fails past the statement limit.
    /// One comparison unless a clock reading or the limit is due.
    #[inline]
    pub(super) fn count(&mut self) -> Result<bool, Exceeded> {
        self.counted += 1;
        if self.counted < self.next_stop {
            return Ok(false);
        }
        self.stop()
    }

    #[cold]
    fn stop(&mut self) -> Result<bool, Exceeded> {
        if let Some(max) = self.limits.max_statements {
            if self.counted > max {
                return Err(Exceeded::Statements(max));
            }
        }
        self.next_stop = next_stop_after(self.counted, self.limits.max_statements);
        Ok(self.counted % Limits::CHECK_EVERY == 0)
    }

    /// True when a processor-time limit needs the clock.
    pub(super) fn wants_cpu(&self) -> bool {
        self.limits.max_cpu.is_some()
    }

    /// Checks the time limits; `cpu_now` is the process's processor time.
    pub(super) fn check_time(&self, cpu_now: Option<Duration>) -> Result<(), Exceeded> {
        if let Some(max) = self.limits.max_duration {
            if self.started.elapsed() > max {
                return Err(Exceeded::Time(max));
            }
        }
        if let (Some(max), Some(start), Some(now)) = (self.limits.max_cpu, self.cpu_start, cpu_now)
        {
            if now.saturating_sub(start) > max {
                return Err(Exceeded::Cpu(max));
            }
        }
        Ok(())
    }

    /// Charges `added` bytes now held and gives back `removed`.
    #[inline]
    pub(super) fn hold(&mut self, added: usize, removed: usize) -> Result<(), Exceeded> {
        self.memory = self.memory.saturating_sub(removed).saturating_add(added);
        match self.limits.max_memory {
            Some(max) if self.memory > max => Err(Exceeded::Memory(max)),
            _ => Ok(()),
        }
    }

    /// The memory limit, as exceeded (an array can hold no more elements).
    pub(super) fn memory_full(&self) -> Exceeded {
        Exceeded::Memory(self.limits.max_memory.unwrap_or(usize::MAX))
    }

    /// Gives back `bytes` no longer held.
    #[inline]
    pub(super) fn release(&mut self, bytes: usize) {
        self.memory = self.memory.saturating_sub(bytes);
    }

    /// Checks a string being built of `len` bytes.
    #[inline]
    pub(super) fn string(&self, len: usize) -> Result<(), Exceeded> {
        match self.limits.max_memory {
            Some(max) if len > max => Err(Exceeded::Memory(max)),
            _ => Ok(()),
        }
    }

    /// Charges `bytes` of output.
    #[inline]
    pub(super) fn emit(&mut self, bytes: usize) -> Result<(), Exceeded> {
        self.output = self.output.saturating_add(bytes as u64);
        match self.limits.max_output {
            Some(max) if self.output > max => Err(Exceeded::Output(max)),
            _ => Ok(()),
        }
    }

    /// The longest input line.
    pub(super) fn max_line(&self) -> usize {
        self.limits.max_line
    }
}

/// The next count after `counted` at which the clocks are read or the
/// statement limit `max` is passed.
fn next_stop_after(counted: u64, max: Option<u64>) -> u64 {
    let clock = (counted / Limits::CHECK_EVERY + 1) * Limits::CHECK_EVERY;
    match max {
        Some(max) if max < clock => max.saturating_add(1).max(counted + 1),
        _ => clock,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counters_stop_at_their_limits() {
        let limits = Limits {
            max_statements: Some(3),
            max_memory: Some(100),
            max_output: Some(10),
            ..Limits::none()
        };
        let mut budget = Budget::new(limits, None);
        for _ in 0..3 {
            assert!(budget.count().is_ok());
        }
        assert_eq!(budget.count(), Err(Exceeded::Statements(3)));
        assert_eq!(budget.count(), Err(Exceeded::Statements(3)));
        assert!(budget.hold(60, 0).is_ok());
        assert!(budget.hold(40, 0).is_ok());
        assert_eq!(budget.hold(1, 0), Err(Exceeded::Memory(100)));
        assert!(budget.hold(0, 50).is_ok());
        assert!(budget.string(100).is_ok());
        assert!(budget.string(101).is_err());
        assert!(budget.emit(10).is_ok());
        assert_eq!(budget.emit(1), Err(Exceeded::Output(10)));
    }

    #[test]
    fn clocks_are_due_every_check_every_counts() {
        let mut budget = Budget::new(Limits::none(), None);
        let due: Vec<u64> = (1..=3 * Limits::CHECK_EVERY)
            .filter(|_| budget.count() == Ok(true))
            .collect();
        assert_eq!(
            due,
            [
                Limits::CHECK_EVERY,
                2 * Limits::CHECK_EVERY,
                3 * Limits::CHECK_EVERY
            ]
        );
        let limits = Limits {
            max_statements: Some(Limits::CHECK_EVERY + 5),
            ..Limits::none()
        };
        let mut budget = Budget::new(limits, None);
        let passed = (0..).take_while(|_| budget.count().is_ok()).count();
        assert_eq!(passed as u64, Limits::CHECK_EVERY + 5);
    }

    #[test]
    fn processor_time_counts_from_the_scripts_start() {
        let limits = Limits {
            max_cpu: Some(Duration::from_secs(2)),
            ..Limits::none()
        };
        let budget = Budget::new(limits, Some(Duration::from_secs(100)));
        assert!(budget.check_time(Some(Duration::from_secs(102))).is_ok());
        assert_eq!(
            budget.check_time(Some(Duration::from_secs(103))),
            Err(Exceeded::Cpu(Duration::from_secs(2)))
        );
        // A clock that cannot be read checks nothing.
        assert!(budget.check_time(None).is_ok());
    }

    #[test]
    fn limits_are_named_with_their_setting() {
        assert_eq!(
            Exceeded::Memory(256 << 20).describe(),
            "the memory limit (256 MiB, PIKT.conf `script_memory_limit`)"
        );
        assert_eq!(
            Exceeded::Output(10).describe(),
            "the output limit (10 bytes, PIKT.conf `script_output_limit`)"
        );
    }
}
