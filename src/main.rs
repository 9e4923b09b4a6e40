//! temporary
fn main() {
    let path = std::env::args().nth(1).unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    let mut map = shopops::source::SourceMap::new();
    let id = map.add(&path, text.clone());
    if path.ends_with(".yaml") {
        match shopops::data::load(&map, id) {
            Ok(cases) => println!("{:#?}", cases[0].draws),
            Err(d) => print!("{}", shopops::diag::render_human(&d, &map, false, 100)),
        }
        return;
    }
    match shopops::syntax::parse_file(id, &text) {
        Ok(stmts) => println!("{} statements", stmts.len()),
        Err(d) => print!("{}", shopops::diag::render_human(&d, &map, false, 100)),
    }
}
