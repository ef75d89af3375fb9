//! What ssh's own messages mean, in words that say what to do. ssh exits
//! with 255 when it fails itself; its message on standard error tells
//! why: a host key that changed or is unknown, a login refused, a host
//! that cannot be reached.

use crate::transport::{HostError, HostErrorKind};

/// The error for a failed ssh client talking to `host`, from what it
/// printed on standard error.
pub(super) fn ssh_failure(host: &str, stderr: &str) -> HostError {
    let said = said(stderr);
    if stderr.contains("REMOTE HOST IDENTIFICATION HAS CHANGED")
        || stderr.contains("HOST IDENTIFICATION HAS CHANGED")
    {
        let offending = stderr
            .lines()
            .find(|l| l.contains("Offending") && l.contains(" key in "))
            .map(|l| format!(" (ssh: {})", l.trim()))
            .unwrap_or_default();
        return HostError::new(
            HostErrorKind::Denied,
            format!(
                "the host key of `{host}` has changed, so ssh refused to connect{offending}: someone may be intercepting the connection, or the host was reinstalled. Check the new key's fingerprint on the host itself, then replace the old one (`ssh-keygen -R NAME` for the name known_hosts holds, then connect once by hand); piktc never accepts a changed key"
            ),
        );
    }
    if stderr.contains("Host key verification failed") || stderr.contains("host key is known for") {
        return HostError::new(
            HostErrorKind::Denied,
            format!(
                "the host key of `{host}` is not known (ssh: {said}): piktc never accepts an unknown key on trust; check its fingerprint on the host, then add it to known_hosts (connect once by hand, or `ssh-keyscan`)"
            ),
        );
    }
    if stderr.contains("Permission denied") || stderr.contains("Too many authentication failures") {
        return HostError::new(
            HostErrorKind::Denied,
            format!(
                "ssh could not log in to `{host}` (ssh: {said}): piktc runs ssh in batch mode, without passwords; give it a key the host accepts (ssh-agent, or IdentityFile in the ssh configuration)"
            ),
        );
    }
    let cut = [
        "Broken pipe",
        "Connection reset",
        "closed by remote host",
        "client_loop:",
        "Timeout, server",
        "not responding",
    ];
    if cut.iter().any(|c| stderr.contains(c)) {
        return HostError::new(
            HostErrorKind::Unreachable,
            format!("the connection to `{host}` was lost (ssh: {said})"),
        );
    }
    HostError::new(
        HostErrorKind::Unreachable,
        format!("cannot reach `{host}` (ssh: {said})"),
    )
}

/// ssh's message in one line: its last non-empty lines, banners left out.
fn said(stderr: &str) -> String {
    let lines: Vec<&str> = stderr
        .lines()
        .map(|l| l.trim().trim_start_matches("ssh: "))
        .filter(|l| {
            !l.is_empty() && !l.starts_with("@@@") && !l.starts_with("Warning: Permanently")
        })
        .collect();
    match lines.as_slice() {
        [] => "no message; it exited with status 255".to_string(),
        [.., last] if lines.len() > 3 => (*last).to_string(),
        all => all.join("; "),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_kind_of_failure_says_what_to_do() {
        let changed = "@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@\n\
            @    WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!     @\n\
            @@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@\n\
            IT IS POSSIBLE THAT SOMEONE IS DOING SOMETHING NASTY!\n\
            Offending ED25519 key in /root/.ssh/known_hosts:3\n\
            Host key verification failed.\n";
        let e = ssh_failure("bergen", changed);
        assert_eq!(e.kind, HostErrorKind::Denied);
        assert!(e.message.starts_with("the host key of `bergen` has changed, so ssh refused to connect (ssh: Offending ED25519 key in /root/.ssh/known_hosts:3)"), "{}", e.message);

        let unknown = "No ED25519 host key is known for bergen and you have requested strict checking.\nHost key verification failed.\n";
        let e = ssh_failure("bergen", unknown);
        assert_eq!(e.kind, HostErrorKind::Denied);
        assert!(
            e.message
                .starts_with("the host key of `bergen` is not known"),
            "{}",
            e.message
        );

        let e = ssh_failure("bergen", "root@10.0.0.2: Permission denied (publickey).\n");
        assert_eq!(e.kind, HostErrorKind::Denied);
        assert!(e.message.contains("Permission denied (publickey)"));

        let e = ssh_failure(
            "bergen",
            "ssh: connect to host 10.0.0.2 port 22: Connection refused\n",
        );
        assert_eq!(e.kind, HostErrorKind::Unreachable);
        assert_eq!(
            e.message,
            "cannot reach `bergen` (ssh: connect to host 10.0.0.2 port 22: Connection refused)"
        );

        let e = ssh_failure("bergen", "client_loop: send disconnect: Broken pipe\n");
        assert_eq!(
            e.message,
            "the connection to `bergen` was lost (ssh: client_loop: send disconnect: Broken pipe)"
        );
        assert_eq!(
            ssh_failure("bergen", "").message,
            "cannot reach `bergen` (ssh: no message; it exited with status 255)"
        );
    }
}
