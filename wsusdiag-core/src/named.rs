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
macro_rules! named_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident = $spelling:literal, )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )+
        }

        impl $name {
            /// Every value, in order.
            pub const ALL: &'static [Self] = &[$(Self::$variant),+];

            #[doc = concat!("How reports spell it: ", $("`", $spelling, "` "),+)]
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $spelling,)+
                }
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

        impl ::std::str::FromStr for $name {
            type Err = $crate::named::UnknownValue;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $($spelling => Ok(Self::$variant),)+
                    _ => Err($crate::named::UnknownValue {
                        of: stringify!($name),
                        value: s.to_owned(),
                    }),
                }
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
    };
}

pub(crate) use named_enum;

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
