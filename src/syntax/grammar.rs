//! The pest parser generated from `grammar/shop.pest`.

#![allow(missing_docs, unreachable_pub)]

#[derive(pest_derive::Parser)]
#[grammar = "grammar/shop.pest"]
pub struct ShopParser;
