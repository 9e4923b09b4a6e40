//! Enums of plain keywords, each variant declared once with its spelling.

/// Declares an enum of keywords with its table: `Variant "name",`. The enum's order is the
/// table's (documentation) order.
macro_rules! keywords {
    (
        $(#[$meta:meta])*
        $vis:vis enum $enum:ident {
            $( $(#[$doc:meta])* $variant:ident $name:literal, )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        $vis enum $enum {
            $( $(#[$doc])* $variant, )*
        }

        impl $enum {
            /// Every entry, in declaration order.
            pub const ALL: &[$enum] = &[$($enum::$variant,)*];

            /// Every name, in declaration order.
            pub const NAMES: &[&str] = &[$($name,)*];

            /// The name as written.
            pub fn name(self) -> &'static str {
                match self {
                    $($enum::$variant => $name,)*
                }
            }

            /// The entry of this name.
            pub fn named(name: &str) -> Option<$enum> {
                Self::ALL.iter().copied().find(|e| e.name() == name)
            }
        }
    };
}
