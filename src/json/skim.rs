//! What the hand-written skims share: the walk over an object's members.

use crate::scan::{skip_string, skip_ws};

/// Marks member `bit` as read; `None` if it was already (serde's derive
/// refuses a duplicate field). For the hand-written skims.
pub(crate) fn once(seen: &mut u32, bit: u32) -> Option<()> {
    if *seen & (1 << bit) != 0 {
        return None;
    }
    *seen |= 1 << bit;
    Some(())
}

/// What the hand-written skims (CodeArts pages, BlueKing logs) share: a
/// document and the position of the next byte to read, and the walk over an
/// object's members. Anything unusual gives `None`, and the caller hands the
/// document to serde.
pub(crate) trait Skimmer<'a>: Sized {
    /// The document.
    fn text(&self) -> &'a str;
    /// The position of the next byte to read.
    fn at(&mut self) -> &mut usize;

    /// Skips white space.
    fn ws(&mut self) {
        let b = self.text().as_bytes();
        let i = *self.at();
        *self.at() = skip_ws(b, i);
    }

    /// Reads `null` if it is next (serde reads an `Option` member sent as
    /// `null` as `None`).
    fn null(&mut self) -> bool {
        let b = self.text().as_bytes();
        let i = *self.at();
        let found = b.get(i..i + 4) == Some(b"null");
        if found {
            *self.at() = i + 4;
        }
        found
    }

    /// An object next: `member` is called with each key (no escapes) and the
    /// position at its value, which it must read.
    fn object(&mut self, mut member: impl FnMut(&mut Self, &'a str) -> Option<()>) -> Option<()> {
        let s = self.text();
        let b = s.as_bytes();
        if b.get(*self.at()) != Some(&b'{') {
            return None;
        }
        *self.at() += 1;
        self.ws();
        if b.get(*self.at()) == Some(&b'}') {
            *self.at() += 1;
            return Some(());
        }
        loop {
            let i = *self.at();
            if b.get(i) != Some(&b'"') {
                return None;
            }
            let end = skip_string(b, i)?;
            let key = s.get(i + 1..end.checked_sub(1)?)?;
            if key.contains('\\') {
                return None;
            }
            let colon = skip_ws(b, end);
            if b.get(colon) != Some(&b':') {
                return None;
            }
            *self.at() = colon + 1;
            self.ws();
            member(self, key)?;
            self.ws();
            match b.get(*self.at())? {
                b',' => {
                    *self.at() += 1;
                    self.ws();
                }
                b'}' => {
                    *self.at() += 1;
                    return Some(());
                }
                _ => return None,
            }
        }
    }
}
