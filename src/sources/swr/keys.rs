//! The keys of an inner log entry: one table, [`ENTRY_KEYS`], read by the
//! fast scanner (`fast.rs`) and by the careful path's wire struct
//! ([`WireEntry`](super::wire::WireEntry)) alike. Adding a field is one row
//! here; the compiler then points at every `match` on [`Field`] that must
//! say what to do with it.

/// A field of an inner log entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Field {
    /// `Type`: `phase` or `content`.
    Type,
    /// `Message`: the line.
    Message,
    /// `Time`: an RFC 3339 stamp.
    Time,
    /// `State`: see [`STATES`](super::states::STATES).
    State,
    /// `Progress`: 0 to 100.
    Progress,
}

/// Every entry key as Go's encoder writes it (the struct's field names);
/// some producers write the first letter in lower case, which is read the
/// same.
pub(super) const ENTRY_KEYS: [(&str, Field); 5] = [
    ("Type", Field::Type),
    ("Message", Field::Message),
    ("Time", Field::Time),
    ("State", Field::State),
    ("Progress", Field::Progress),
];

impl Field {
    /// The field a key names: a name of [`ENTRY_KEYS`], with its first
    /// letter in either case. `None` for any other key.
    pub(super) fn of_key(key: &[u8]) -> Option<Field> {
        let (first, rest) = key.split_first()?;
        ENTRY_KEYS.iter().find_map(|&(name, field)| {
            let (n, name_rest) = name.as_bytes().split_first()?;
            (rest == name_rest && (first == n || *first == n.to_ascii_lowercase())).then_some(field)
        })
    }

    /// The name Go writes.
    pub(super) fn name(self) -> &'static str {
        ENTRY_KEYS
            .iter()
            .find(|(_, f)| *f == self)
            .map_or("", |(name, _)| name)
    }

    /// The field's bit in a set of fields seen.
    pub(super) fn bit(self) -> u8 {
        1 << self as u8
    }
}

/// An entry key read by serde: the field it names, if any.
pub(super) struct Key(pub(super) Option<Field>);

impl<'de> serde::Deserialize<'de> for Key {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = Key;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("an entry key")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Key, E> {
                Ok(Key(Field::of_key(v.as_bytes())))
            }
            fn visit_bytes<E: serde::de::Error>(self, v: &[u8]) -> Result<Key, E> {
                Ok(Key(Field::of_key(v)))
            }
        }
        d.deserialize_identifier(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_in_both_cases_of_the_first_letter() {
        for (name, field) in ENTRY_KEYS {
            assert_eq!(Field::of_key(name.as_bytes()), Some(field), "{name}");
            let lower = format!("{}{}", &name[..1].to_ascii_lowercase(), &name[1..]);
            assert_eq!(Field::of_key(lower.as_bytes()), Some(field), "{lower}");
            assert_eq!(field.name(), name);
            let upper = name.to_ascii_uppercase();
            assert_eq!(Field::of_key(upper.as_bytes()), None, "{upper}");
        }
        for key in [
            "", "T", "Types", "Tim", "message_", "MESSAGE", "tYPE", "Extra",
        ] {
            assert_eq!(Field::of_key(key.as_bytes()), None, "{key}");
        }
    }

    #[test]
    fn bits_are_distinct() {
        let all = ENTRY_KEYS.iter().fold(0u8, |set, (_, f)| {
            assert_eq!(set & f.bit(), 0, "{f:?}");
            set | f.bit()
        });
        assert_eq!(all.count_ones() as usize, ENTRY_KEYS.len());
    }
}
