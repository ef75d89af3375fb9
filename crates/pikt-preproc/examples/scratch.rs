use std::time::Instant;
fn main() {
    let args: Vec<String> = std::env::args().collect();
    let data = std::fs::read(&args[1]).unwrap();
    let t = Instant::now();
    let (map, out) = pikt_preproc::testing::fuzz_preprocess(&data);
    let text = &map.get(out.file).text;
    eprintln!(
        "{:?} out {} bytes, {} diags",
        t.elapsed(),
        text.len(),
        out.diagnostics.len()
    );
    for d in out.diagnostics.iter().take(3) {
        eprint!("{}", pikt_source::render(&map, d));
    }
}
