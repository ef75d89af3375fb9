//! The alert macros `=piktalert`, `=piktstatus` and `=piktlevel`: their
//! value is the alert a script is installed in (its name, its `status`,
//! its `level`), so the preprocessor leaves them in alarms.cfg and
//! alerts.cfg ([`pikt_preproc::ALERT_MACROS`]) and they are filled in here,
//! once per alert: in each alert's `.alt` file and in the commands of its
//! alerts.cfg stanza. A `=_` right after one is dropped with it
//! (`"=piktalert=_.log"` is `Urgent.log` in alert Urgent); `\=piktalert`
//! is the text `=piktalert`.
//!
//! PIKT 1.19's samples write `status =piktstatus` and `level =piktlevel` in
//! every script, so that one script takes the status and level of each
//! alert it runs in (`docs/preprocessor.md`).

use std::borrow::Cow;

use pikt_preproc::ALERT_MACROS;

use crate::alerts::Alert;

/// What the alert macros stand for in one alert.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AlertContext<'a> {
    /// `=piktalert`: the alert's name.
    pub alert: &'a str,
    /// `=piktstatus`: the alert's `status` (`active` when it names none).
    pub status: &'a str,
    /// `=piktlevel`: the alert's `level` (`notice`, the default level of a
    /// script, when it names none).
    pub level: &'a str,
}

impl<'a> AlertContext<'a> {
    /// The context of `alert`.
    pub fn of(alert: &'a Alert) -> AlertContext<'a> {
        AlertContext {
            alert: &alert.name,
            status: alert.status.map_or("active", |s| s.word()),
            level: alert.level.map_or("notice", |l| l.word()),
        }
    }

    fn value(&self, name: &str) -> &'a str {
        match name {
            "piktalert" => self.alert,
            "piktstatus" => self.status,
            _ => self.level,
        }
    }
}

/// One alert macro reference found in a text.
struct Found {
    /// Where it starts (the `\` of an escaped one, else the `=`).
    start: usize,
    /// One past its end (after a following `=_`).
    end: usize,
    /// The macro's name, or `None` for an escaped reference.
    name: Option<&'static str>,
}

/// The alert macro references of `text`, in order.
fn references(text: &str) -> Vec<Found> {
    let bytes = text.as_bytes();
    let mut found = Vec::new();
    let mut i = 0;
    while let Some(k) = bytes
        .get(i..)
        .and_then(|rest| rest.iter().position(|&b| b == b'='))
    {
        let at = i + k;
        i = at + 1;
        let Some(name) = ALERT_MACROS
            .iter()
            .copied()
            .find(|name| names_at(bytes, at + 1, name))
        else {
            continue;
        };
        let name_end = at + 1 + name.len();
        if at > 0 && bytes.get(at - 1) == Some(&b'\\') {
            found.push(Found {
                start: at - 1,
                end: at,
                name: None,
            });
            i = name_end;
            continue;
        }
        let end = if bytes.get(name_end..name_end + 2) == Some(b"=_".as_slice()) {
            name_end + 2
        } else {
            name_end
        };
        found.push(Found {
            start: at,
            end,
            name: Some(name),
        });
        i = end;
    }
    found
}

/// True when `bytes[from..]` starts with the macro name `name` ending where
/// a macro name may end (not before a letter, digit or `_`).
fn names_at(bytes: &[u8], from: usize, name: &str) -> bool {
    let end = from + name.len();
    bytes.get(from..end) == Some(name.as_bytes())
        && !bytes
            .get(end)
            .is_some_and(|&b| b.is_ascii_alphanumeric() || b == b'_')
}

/// `text` with the alert macros filled in for `ctx`.
pub fn fill<'t>(text: &'t str, ctx: &AlertContext<'_>) -> Cow<'t, str> {
    let found = references(text);
    if found.is_empty() {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    for f in found {
        out.push_str(text.get(copied..f.start).unwrap_or(""));
        // An escaped reference loses its backslash and stays as text.
        if let Some(name) = f.name {
            out.push_str(ctx.value(name));
        }
        copied = f.end;
    }
    out.push_str(text.get(copied..).unwrap_or(""));
    Cow::Owned(out)
}

/// `text` with every alert macro replaced by a value of the same length, so
/// that the parser's spans still fit the text: `=piktstatus` reads
/// `active`, `=piktlevel` `notice` (padded with blanks), `=piktalert` the
/// word `PiktAlert`. Used to check scripts, which may run in any alert.
pub fn fill_for_check(text: &str) -> Cow<'_, str> {
    let found = references(text);
    if found.is_empty() {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    for f in found {
        out.push_str(text.get(copied..f.start).unwrap_or(""));
        let width = f.end - f.start;
        let value = match f.name {
            Some("piktstatus") => "active",
            Some("piktlevel") => "notice",
            Some(_) => "PiktAlert",
            None => "",
        };
        out.push_str(value);
        out.extend(std::iter::repeat_n(' ', width.saturating_sub(value.len())));
        copied = f.end;
    }
    out.push_str(text.get(copied..).unwrap_or(""));
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const URGENT: AlertContext<'static> = AlertContext {
        alert: "Urgent",
        status: "testing",
        level: "urgent",
    };

    #[test]
    fn macros_take_the_alert_values() {
        assert_eq!(
            fill(
                "\"=logdir/=piktalert=_.log\" =piktstatus =piktlevel",
                &URGENT
            ),
            "\"=logdir/Urgent.log\" testing urgent"
        );
        assert_eq!(
            fill("=piktalert-x =piktalert.y", &URGENT),
            "Urgent-x Urgent.y"
        );
    }

    #[test]
    fn longer_names_and_escapes_are_text() {
        assert_eq!(
            fill("=piktalerts =piktalert_x", &URGENT),
            "=piktalerts =piktalert_x"
        );
        assert_eq!(fill("\\=piktalert", &URGENT), "=piktalert");
        assert!(matches!(fill("nothing here", &URGENT), Cow::Borrowed(_)));
    }

    #[test]
    fn check_values_keep_every_offset() {
        let text = "status =piktstatus\nlevel =piktlevel=_\n\"=piktalert\"";
        let filled = fill_for_check(text);
        assert_eq!(filled.len(), text.len());
        assert_eq!(
            filled,
            "status active     \nlevel notice      \n\"PiktAlert \""
        );
    }
}
