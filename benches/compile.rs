//! Parse + check + compile of every shipped scenario.

use std::hint::black_box;
use std::path::PathBuf;

use criterion::{Criterion, criterion_group, criterion_main};
use shopops::check::check_paths;
use shopops::compile::compile;

fn shipped() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("scenarios")
}

fn check_and_compile_all(c: &mut Criterion) {
    let dir = shipped();
    c.bench_function("check+compile scenarios/", |b| {
        b.iter(|| {
            let report = check_paths(std::slice::from_ref(&dir)).expect("scenarios readable");
            assert_eq!(report.errors(), 0);
            let sources = report.sources;
            let compiled: Vec<_> =
                report.checked.into_iter().filter_map(|c| compile(c, &sources)).collect();
            assert_eq!(compiled.len(), 3);
            black_box(compiled)
        })
    });
}

fn parse_prelude(c: &mut Criterion) {
    let text = std::fs::read_to_string(shipped().join("prelude.shop")).expect("prelude");
    c.bench_function("parse prelude.shop", |b| {
        b.iter(|| shopops::syntax::parse_file(shopops::source::FileId(0), black_box(&text)))
    });
}

criterion_group!(benches, check_and_compile_all, parse_prelude);
criterion_main!(benches);
