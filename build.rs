//! Link options for the `pikt`, `piktc` and `piktd` binaries.
//!
//! Start-up of a short script is dominated by the dynamic loader: the
//! position-independent binary carries about 15,000 relative relocations,
//! which glibc applies one 24-byte `RELA` entry at a time before `main`.
//! Packed relative relocations (`DT_RELR`, glibc 2.36 and binutils 2.38 on)
//! store them as a bitmap of a few hundred bytes that the loader applies in
//! a tight loop: about half of the instructions a trivial script executes,
//! and fewer pages read, with the same address-space randomisation and full
//! RELRO (bench/README.md, "The fourth pass").

fn main() {
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    let env = std::env::var("CARGO_CFG_TARGET_ENV").unwrap_or_default();
    if os == "linux" && env == "gnu" {
        println!("cargo:rustc-link-arg-bins=-Wl,-z,pack-relative-relocs");
    }
    println!("cargo:rerun-if-changed=build.rs");
}
