//! What `#if` knows about the target host.

use std::collections::BTreeSet;

/// Facts about the target host for `#if` machine classes.
///
/// Built by pikt-config from systems.cfg: `classes` holds every name that is
/// true for the host (its name, its aliases, its OS name, and every group that
/// contains any of those, transitively); `known` holds every name registered in
/// systems.cfg, so that an `#if` naming something unregistered can be warned
/// about when [`crate::Options::warn_unknown_classes`] is set.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HostFacts {
    /// The host's own name (also `=pikthostname`).
    pub name: String,
    /// Every name true for this host (the host name itself need not be repeated).
    pub classes: BTreeSet<String>,
    /// Every name registered in systems.cfg (hosts, aliases, groups, OS names).
    pub known: BTreeSet<String>,
}

impl HostFacts {
    /// Facts for host `name` with the given true classes; `known` is set to
    /// the classes plus the name (callers add the rest of systems.cfg).
    pub fn new<I, S>(name: impl Into<String>, classes: I) -> HostFacts
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let name = name.into();
        let classes: BTreeSet<String> = classes.into_iter().map(Into::into).collect();
        let mut known = classes.clone();
        known.insert(name.clone());
        HostFacts {
            name,
            classes,
            known,
        }
    }

    /// True when `class` names this host, one of its aliases, its OS or a
    /// group containing it.
    pub fn is_true(&self, class: &str) -> bool {
        class == self.name || self.classes.contains(class)
    }

    /// True when `class` is registered in systems.cfg.
    pub fn is_known(&self, class: &str) -> bool {
        self.is_true(class) || self.known.contains(class)
    }
}
