//! The three programs' tables. Each is a [`crate::Spec`] over the
//! program's own flag identifiers, so a program matches on what a flag
//! means, never on how it is spelled.

mod pikt;
mod piktc;
mod piktd;

pub use pikt::{PiktFlag, PIKT};
pub use piktc::{PiktcFlag, PIKTC};
pub use piktd::{PiktdFlag, PIKTD};

/// Help of `--piktdir`, the same for all three.
const PIKTDIR_HELP: &str = "the installation root (default: $PIKT_DIR, else /etc/pikt)";

/// Help of `--host`, the same for all three.
const HOST_HELP: &str =
    "this host's name in systems.cfg (default: $PIKT_HOST, else the system host name up to its first dot)";

/// The environment variables all three read.
const SITE_ENVIRONMENT: [(&str, &str); 3] = [
    (
        "PIKT_DIR",
        "the installation root when --piktdir is not given",
    ),
    ("PIKT_HOST", "this host's name when --host is not given"),
    (
        "PIKT_CONF_PATH",
        "directories (separated by :) searched for PIKT.conf and piktd.conf when =piktdir/etc has none, instead of /etc:/etc/pikt:/usr/local/etc:/usr/local/etc/pikt; empty: none",
    ),
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::{Arity, Flag, Spec, Support};

    /// No two flags of a program share a spelling.
    fn spellings_are_unique<Id: Copy + PartialEq + std::fmt::Debug>(spec: &Spec<Id>) {
        let mut seen: Vec<String> = Vec::new();
        for flag in spec.flags {
            let mut forms = Vec::new();
            if let Some(l) = flag.letter {
                if flag.takes_plus() {
                    forms.push(format!("+{l}"));
                }
                if flag.takes_minus() {
                    let kind = if matches!(flag.arity, Arity::Switch | Arity::Digits) {
                        "switch"
                    } else {
                        "selector"
                    };
                    forms.push(format!("-{l} {kind}"));
                }
            }
            if let Some(long) = flag.long {
                forms.push(format!("--{long}"));
            }
            for form in forms {
                assert!(!seen.contains(&form), "{}: {form} twice", spec.program);
                seen.push(form);
            }
        }
    }

    fn every_flag_has_help<Id: Copy + PartialEq>(spec: &Spec<Id>) {
        for flag in spec.flags {
            let flag: &Flag<Id> = flag;
            assert!(!flag.help.is_empty(), "{:?}", flag.spellings());
            if let Support::Refused(why) = flag.support {
                assert!(!why.is_empty());
            }
            if matches!(flag.arity, Arity::Value | Arity::Words) {
                assert!(flag.value.is_some(), "{:?}", flag.spellings());
            }
        }
    }

    #[test]
    fn tables_are_consistent() {
        spellings_are_unique(&PIKT);
        spellings_are_unique(&PIKTC);
        spellings_are_unique(&PIKTD);
        every_flag_has_help(&PIKT);
        every_flag_has_help(&PIKTC);
        every_flag_has_help(&PIKTD);
    }

    #[test]
    fn all_three_share_the_site_options() {
        for longs in [
            PIKT.flags.iter().filter_map(|f| f.long).collect::<Vec<_>>(),
            PIKTC.flags.iter().filter_map(|f| f.long).collect(),
            PIKTD.flags.iter().filter_map(|f| f.long).collect(),
        ] {
            for name in ["help", "version", "piktdir", "host"] {
                assert!(longs.contains(&name), "{name}");
            }
        }
    }
}
