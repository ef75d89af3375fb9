//! The limits of every script a run executes, from PIKT.conf
//! (docs/runtime.md, "Limits"): `script_cpu_limit` and `script_time_limit`
//! in seconds, `script_memory_limit` and `script_output_limit` in MiB (0
//! lifts the limit), `input_line_limit` in KiB. A key that is not given
//! keeps the default of [`Limits`].

use std::time::Duration;

use pikt_config::pikt_conf::PiktConf;
use pikt_runtime::Limits;

/// The limits `conf` sets, the defaults for the rest.
pub fn limits_from(conf: &PiktConf) -> Limits {
    let mut limits = Limits::default();
    let seconds = |n: u64| (n > 0).then(|| Duration::from_secs(n));
    let mebibytes = |n: u64| (n > 0).then(|| n.saturating_mul(1 << 20));
    if let Some(n) = conf.number("script_cpu_limit") {
        limits.max_cpu = seconds(n);
    }
    if let Some(n) = conf.number("script_time_limit") {
        limits.max_duration = seconds(n);
    }
    if let Some(n) = conf.number("script_memory_limit") {
        limits.max_memory = mebibytes(n).map(|bytes| usize::try_from(bytes).unwrap_or(usize::MAX));
    }
    if let Some(n) = conf.number("script_output_limit") {
        limits.max_output = mebibytes(n);
    }
    if let Some(n) = conf.number("input_line_limit") {
        let bytes = n.max(1).saturating_mul(1 << 10);
        limits.max_line = usize::try_from(bytes).unwrap_or(usize::MAX / 2);
    }
    limits
}

#[cfg(test)]
mod tests {
    use pikt_source::SourceMap;

    use super::*;

    fn conf(text: &str) -> PiktConf {
        let mut map = SourceMap::new();
        let file = map.add("PIKT.conf", text);
        let (conf, diags) = PiktConf::parse(&map, file);
        assert!(diags.is_empty(), "{diags:?}");
        conf
    }

    #[test]
    fn pikt_conf_sets_and_lifts_limits() {
        assert_eq!(limits_from(&conf("")), Limits::default());
        let limits = limits_from(&conf(
            "script_cpu_limit 20\nscript_time_limit 60\nscript_memory_limit 0\nscript_output_limit 2\ninput_line_limit 4\n",
        ));
        assert_eq!(
            limits,
            Limits {
                max_cpu: Some(Duration::from_secs(20)),
                max_duration: Some(Duration::from_secs(60)),
                max_memory: None,
                max_output: Some(2 << 20),
                max_line: 4096,
                ..Limits::default()
            }
        );
    }
}
