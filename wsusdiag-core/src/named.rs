//! Enums whose values reports spell as fixed strings (`fault-id`, `client-win10`, `utf-8`):
//! one table per enum gives its variants and their spellings, from which `as_str`, `Display`,
//! `FromStr` and serde all follow, so that the JSON and the text reports cannot disagree.

use std::fmt;
use std::marker::PhantomData;
use std::str::FromStr;

/// A string that is none of an enum's spellings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownValue {
    /// The enum's name (`Correlation`).
    pub of: &'static str,
    /// The string given.
    pub value: String,
}

impl fmt::Display for UnknownValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?} is not a {} value", self.value, self.of)
    }
}

impl std::error::Error for UnknownValue {}

/// Reads one of `T`'s spellings from a serde string, borrowed when the format allows.
pub(crate) fn deserialize_spelling<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: serde::Deserializer<'de>,
    T: FromStr<Err = UnknownValue>,
{
    struct Spelling<T>(PhantomData<T>);

    impl<T: FromStr<Err = UnknownValue>> serde::de::Visitor<'_> for Spelling<T> {
        type Value = T;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("one of the enum's spellings")
        }

        fn visit_str<E: serde::de::Error>(self, s: &str) -> Result<T, E> {
            s.parse().map_err(E::custom)
        }
    }

    d.deserialize_str(Spelling(PhantomData))
}

/// Declares a `#[non_exhaustive]` enum from a table of `Variant = "spelling"` rows, with
/// `as_str`, `ALL`, `Display`, `FromStr` and serde in those spellings. Variants are ordered
/// as declared.
///
/// `pub enum Name extends Base { A, B } { C = "c", }` declares an enum with all of `Base`'s
/// named variants (spelled as `Base` spells them, and `From<Base>`) and rows of its own.
macro_rules! named_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident = $spelling:literal, )+
        }
    ) => {
        $crate::named::named_enum! {
            @declare [$(#[$meta])*] $name
            [concat!("How reports spell it: ", $("`", $spelling, "` "),+)]
            { $( [$(#[$vmeta])*] $variant => $spelling, )+ }
        }

        impl $name {
            /// The value of one of its own spellings.
            fn from_spelling(s: &str) -> Option<Self> {
                match s {
                    $($spelling => Some(Self::$variant),)+
                    _ => None,
                }
            }
        }

        $crate::named::spelled_impls!($name);
    };
    (
        $(#[$meta:meta])*
        pub enum $name:ident extends $base:ident { $($inherited:ident),+ $(,)? } {
            $( $(#[$vmeta:meta])* $variant:ident = $spelling:literal, )+
        }
    ) => {
        $crate::named::named_enum! {
            @declare [$(#[$meta])*] $name
            [concat!(
                "How reports spell it: as [`", stringify!($base), "`] does, or ",
                $("`", $spelling, "` "),+
            )]
            {
                $(
                    [#[doc = concat!("See [`", stringify!($base), "::", stringify!($inherited), "`].")]]
                    $inherited => $base::$inherited.as_str(),
                )+
                $( [$(#[$vmeta])*] $variant => $spelling, )+
            }
        }

        impl From<$base> for $name {
            fn from(kind: $base) -> Self {
                match kind {
                    $($base::$inherited => Self::$inherited,)+
                }
            }
        }

        impl $name {
            /// The value of one of its spellings, its base's first.
            fn from_spelling(s: &str) -> Option<Self> {
                if let Ok(kind) = s.parse::<$base>() {
                    return Some(kind.into());
                }
                match s {
                    $($spelling => Some(Self::$variant),)+
                    _ => None,
                }
            }
        }

        $crate::named::spelled_impls!($name);
    };
    // The enum itself, `ALL` and `as_str`, for both forms above.
    (
        @declare [$($meta:tt)*] $name:ident [$as_str_doc:expr]
        { $( [$($vmeta:tt)*] $variant:ident => $spelling:expr, )+ }
    ) => {
        $($meta)*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum $name {
            $( $($vmeta)* $variant, )+
        }

        impl $name {
            /// Every value, in order.
            pub const ALL: &'static [Self] = &[$(Self::$variant),+];

            #[doc = $as_str_doc]
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $spelling,)+
                }
            }
        }
    };
}

/// The impls every [`named_enum!`] shares, from its `as_str` and `from_spelling`.
macro_rules! spelled_impls {
    ($name:ident) => {
        impl ::std::str::FromStr for $name {
            type Err = $crate::named::UnknownValue;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::from_spelling(s).ok_or_else(|| $crate::named::UnknownValue {
                    of: stringify!($name),
                    value: s.to_owned(),
                })
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.pad(self.as_str())
            }
        }

        /// Compares with a spelling, as the JSON has it.
        impl PartialEq<str> for $name {
            fn eq(&self, other: &str) -> bool {
                self.as_str() == other
            }
        }

        /// Compares with a spelling, as the JSON has it.
        impl PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool {
                self.as_str() == *other
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                $crate::named::deserialize_spelling(d)
            }
        }

        /// A string, one of the spellings.
        impl ::schemars::JsonSchema for $name {
            fn schema_name() -> ::std::borrow::Cow<'static, str> {
                stringify!($name).into()
            }

            fn json_schema(_: &mut ::schemars::SchemaGenerator) -> ::schemars::Schema {
                let spellings: Vec<&str> = Self::ALL.iter().map(|v| v.as_str()).collect();
                ::schemars::json_schema!({ "type": "string", "enum": spellings })
            }
        }
    };
}

pub(crate) use {named_enum, spelled_impls};

#[cfg(test)]
#[allow(unreachable_pub)]
mod tests {
    named_enum! {
        /// A test enum.
        pub enum Colour {
            /// Red.
            Red = "red",
            /// Dark blue.
            DarkBlue = "dark-blue",
        }
    }

    named_enum! {
        /// A test enum with Colour's values and one more.
        pub enum Paint extends Colour { Red, DarkBlue } {
            /// Grey.
            Grey = "grey",
        }
    }

    #[test]
    fn an_extended_enum_spells_its_base_values_as_the_base_does() {
        assert_eq!(Paint::ALL, [Paint::Red, Paint::DarkBlue, Paint::Grey]);
        assert_eq!(Paint::from(Colour::DarkBlue), Paint::DarkBlue);
        for &p in Paint::ALL {
            assert_eq!(p.as_str().parse::<Paint>(), Ok(p));
            let json = serde_json::to_string(&p).unwrap();
            assert_eq!(serde_json::from_str::<Paint>(&json).unwrap(), p);
        }
        assert_eq!(Paint::DarkBlue, "dark-blue");
        assert!("blue".parse::<Paint>().is_err());
    }

    #[test]
    fn every_spelling_round_trips_through_text_and_serde() {
        for &c in Colour::ALL {
            assert_eq!(c.as_str().parse::<Colour>(), Ok(c));
            let json = serde_json::to_string(&c).unwrap();
            assert_eq!(json, format!("\"{c}\""));
            assert_eq!(serde_json::from_str::<Colour>(&json).unwrap(), c);
        }
        assert_eq!(Colour::DarkBlue.to_string(), "dark-blue");
        assert_eq!(Colour::DarkBlue, "dark-blue");
        assert_ne!(Colour::Red, "dark-blue");
        assert_eq!(format!("[{:<6}]", Colour::Red), "[red   ]");
    }

    #[test]
    fn an_unknown_spelling_is_an_error_naming_the_enum() {
        let e = "blue".parse::<Colour>().unwrap_err();
        assert_eq!(e.to_string(), "\"blue\" is not a Colour value");
        let e = serde_json::from_str::<Colour>("\"blue\"").unwrap_err();
        assert!(e.to_string().contains("not a Colour value"), "{e}");
        assert!(serde_json::from_str::<Colour>("3").is_err());
    }
}
