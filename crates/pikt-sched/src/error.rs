//! [`StartError`]: why the daemon could not start.

use std::fmt;
use std::io;
use std::path::PathBuf;

use crate::lock::LockError;

/// Exit status when another piktd holds the installation's lock.
pub const EXIT_ALREADY_RUNNING: i32 = 3;

/// Exit status for other start failures (a directory or file piktd needs).
pub const EXIT_START_FAILED: i32 = 1;

/// Why [`crate::Daemon::start`] failed.
#[derive(Debug)]
#[non_exhaustive]
pub enum StartError {
    /// Another piktd runs for this installation.
    AlreadyRunning {
        /// The lock file.
        lock: PathBuf,
        /// Its holder's pid, when the file says.
        holder: Option<u32>,
    },
    /// A file or directory piktd needs could not be made or opened.
    Io {
        /// What piktd was doing ("open the log").
        action: &'static str,
        /// The file or directory.
        path: PathBuf,
        /// The system's error.
        source: io::Error,
    },
}

impl StartError {
    /// The process exit status for this error.
    pub fn exit_code(&self) -> i32 {
        match self {
            StartError::AlreadyRunning { .. } => EXIT_ALREADY_RUNNING,
            StartError::Io { .. } => EXIT_START_FAILED,
        }
    }
}

impl From<LockError> for StartError {
    fn from(err: LockError) -> StartError {
        match err {
            LockError::Held { path, holder } => StartError::AlreadyRunning { lock: path, holder },
            LockError::Io { path, source } => StartError::Io {
                action: "lock",
                path,
                source,
            },
        }
    }
}

impl fmt::Display for StartError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StartError::AlreadyRunning { lock, holder } => {
                write!(f, "another piktd is running for this installation (")?;
                if let Some(pid) = holder {
                    write!(f, "pid {pid} ")?;
                }
                write!(f, "holds `{}`)", lock.display())
            }
            StartError::Io {
                action,
                path,
                source,
            } => write!(f, "cannot {action} `{}`: {source}", path.display()),
        }
    }
}

impl std::error::Error for StartError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            StartError::Io { source, .. } => Some(source),
            StartError::AlreadyRunning { .. } => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_and_codes() {
        let held = StartError::AlreadyRunning {
            lock: PathBuf::from("/pikt/etc/piktd.lock"),
            holder: Some(812),
        };
        assert_eq!(
            held.to_string(),
            "another piktd is running for this installation (pid 812 holds `/pikt/etc/piktd.lock`)"
        );
        assert_eq!(held.exit_code(), 3);
        let io = StartError::Io {
            action: "open the log",
            path: PathBuf::from("/x/piktd.log"),
            source: io::Error::from(io::ErrorKind::PermissionDenied),
        };
        assert!(io
            .to_string()
            .starts_with("cannot open the log `/x/piktd.log`: "));
        assert_eq!(io.exit_code(), 1);
    }
}
