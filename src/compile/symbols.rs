//! Interned names and texts of a scenario.

use std::collections::BTreeMap;

use super::ir::Sym;

/// Every name and text a scenario mentions, each with a stable index (first mention first).
#[derive(Clone, Debug, Default)]
pub struct Symbols {
    names: Vec<String>,
    index: BTreeMap<String, Sym>,
}

impl Symbols {
    /// The index of `name`, adding it if new.
    pub fn intern(&mut self, name: &str) -> Sym {
        if let Some(&sym) = self.index.get(name) {
            return sym;
        }
        let sym = Sym::try_from(self.names.len()).unwrap_or(Sym::MAX);
        self.names.push(name.to_string());
        self.index.insert(name.to_string(), sym);
        sym
    }

    /// The index of a known name.
    pub fn get(&self, name: &str) -> Option<Sym> {
        self.index.get(name).copied()
    }

    /// The text of a symbol.
    pub fn name(&self, sym: Sym) -> &str {
        self.names.get(sym as usize).map_or("", String::as_str)
    }
}
